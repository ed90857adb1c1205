using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Stages.TimeMuting;

/// <summary>
/// Routes muted by time (muteTimeIntervals, activeTimeIntervals), per route as in Alertmanager. A firing alert whose
/// every route is muted is recorded as suppressed, naming the interval, until the first mute ends; one whose routes are
/// muted only in part notifies the others now, and each muted route's notification waits, held like a group's
/// (<see cref="PendingNotification"/>), until its mute ends. A resolve goes only where the trigger went, so what
/// resolved while muted is never sent. Silences and inhibition come first: they mute the whole alert.
/// </summary>
public sealed class TimeMutingStage(RouteTimeMuter routes, Func<Alert, DecisionContext, DateTimeOffset, Suppression?> muted)
{
    /// <summary>Event time, firing: every route muted by time, so the alert is suppressed until the first mute ends.</summary>
    public Decision? Mute(EventStep step)
    {
        if (step.Alert.Status != AlertStatus.Firing || AllMuted(step.Routes, step.Now) is not { } first)
        {
            return null;
        }

        return step.Done(DecisionKinds.Suppressed, first.Reason, step.Next with { Suppressed = first, DueAt = first.Until }, []);
    }

    /// <summary>For the grouping stage: the notification of a route muted by time now, held until its mute ends (null: not muted).</summary>
    public PendingNotification? Hold(MatchedRoute route, Alert alert, DateTimeOffset now) =>
        routes.Mutes(route, now) is { } mute ? new PendingNotification(route.Id, RouteTree.GroupKey(route, alert.Labels), route.Receiver, mute.Until) : null;

    /// <summary>
    /// Tick time, for a suppressed firing alert that is due and no longer silenced or inhibited: still muted by time on
    /// every route (recorded until the next end), or sent as at the end of a silence to the routes that are free, the
    /// others held. An alert no route of which is muted by time is left to the muting stage's release.
    /// </summary>
    public TickPlan? Release(TickStep step)
    {
        var s = step.State;
        if (!routes.Any || s.State != AlarmState.Alarm || s.Suppressed is not { } was || s.DueAt is not { } due || due > step.Now)
        {
            return null;
        }

        if (muted(step.Alert, step.Context, step.Now) is { } other)
        {
            // A silence or inhibition began while the time mute lasted: it is the muting stage's from now on.
            return was.Kind == SuppressionKind.TimeInterval ? new TickPlan(s with { Suppressed = other, DueAt = other.Until }, [], other.Reason) : null;
        }

        if (AllMuted(step.Routes, step.Now) is { } still)
        {
            return new TickPlan(s with { Suppressed = still, DueAt = still.Until }, [], still.Reason);
        }

        var targets = Notification.DistinctReceivers(step.Routes).ToList();
        var holds = targets.Select(r => Hold(r, step.Alert, step.Now)).OfType<PendingNotification>().ToList();
        if (was.Kind != SuppressionKind.TimeInterval && holds.Count == 0)
        {
            return null;
        }

        return StateChanges.Released(step, was, [.. targets.Where(r => holds.All(h => h.RouteId != r.Id))], holds);
    }

    /// <summary>The mute that ends first when every route is muted by time now; null when any route notifies.</summary>
    private Suppression? AllMuted(IReadOnlyList<MatchedRoute> matched, DateTimeOffset now)
    {
        if (!routes.Any)
        {
            return null;
        }

        var mutes = Notification.DistinctReceivers(matched).Select(r => routes.Mutes(r, now)).ToList();
        return mutes.Count > 0 && mutes.All(m => m is not null) ? mutes.MinBy(m => m!.Until) : null;
    }
}
