using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Stages.Repeat;

/// <summary>An alert told firing that still fires is told again every repeatInterval, unless something mutes it since.</summary>
public sealed class RepeatStage(StageSettings settings, Func<Alert, DecisionContext, DateTimeOffset, Suppression?> muted)
{
    /// <summary>Tick time: a reminder once the repeat interval has passed since the last notice.</summary>
    public TickPlan? Remind(TickStep step)
    {
        var s = step.State;
        if (!Repeats(s) || s.LastNotifiedAt + settings.RepeatInterval(step.Routes) > step.Now)
        {
            return null;
        }

        // A silence or inhibition that began after the trigger mutes the reminders too. NotifiedStatus stays Firing:
        // someone saw the page, so its resolve must still close it.
        if (muted(step.Alert, step.Context, step.Now) is { } muting)
        {
            return new TickPlan(s with { Suppressed = muting, DueAt = muting.Until, LastDecision = DecisionKinds.Suppressed }, [], muting.Reason);
        }

        // On a grouped route to a receiver of digests the group is repeated, not each alert: the reminder joins the
        // group's update in this repeat's slot, with every member whose repeat falls in it.
        var routes = Notification.DistinctReceivers(step.Routes).ToList();
        var grouped = routes.Where(r => r.GroupWait > TimeSpan.Zero && !settings.KeepsIncidents(r.Receiver)).ToList();
        var joining = grouped.Select(r => new PendingNotification(
            r.Id, RouteTree.GroupKey(r, step.Alert.Labels), r.Receiver, GroupNotices.UpdateSlot(step.Now, r.GroupInterval), DeliveryActions.Repeat));
        var reason = $"notify: repeat after {DecisionText.Duration(settings.RepeatInterval(step.Routes))} still firing";
        var after = s with { LastNotifiedAt = step.Now, LastDecision = DecisionKinds.Notify, Pending = [.. s.Pending, .. joining] };
        return new TickPlan(after, Notification.ToRoutes(step.Alert, DeliveryActions.Repeat, routes.Except(grouped)), reason);
    }

    /// <summary>Due: the next reminder of an alert told firing, not flapping, muted or waiting for its group.</summary>
    public DateTimeOffset? Due(AlertState s, IReadOnlyList<MatchedRoute> routes) =>
        !s.Flapping && Repeats(s) ? s.LastNotifiedAt + settings.RepeatInterval(routes) : null;

    private static bool Repeats(AlertState s) =>
        s.State == AlarmState.Alarm && s.NotifiedStatus == AlertStatus.Firing && s.Suppressed is null && s.Pending.Count == 0 && s.LastNotifiedAt is not null;
}
