using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Stages.Flapping;

/// <summary>
/// An alert that changes firing ⇄ resolved <c>defaults.flapping.changes</c> times within the window is flapping: one
/// notice, then quiet until it has been stable for a whole window, then one notification of where it settled.
/// </summary>
public sealed class FlappingStage(StageSettings settings, Func<EventStep, Suppression?> muted)
{
    private TimeSpan Window => settings.Config.Defaults.Flapping.Window;

    private int Threshold => settings.Config.Defaults.Flapping.Changes;

    /// <summary>
    /// Event time, once admitted: counts this event's change. A "change" is firing ⇄ resolved; INSUFFICIENT_DATA neither
    /// starts nor counts one, and a first-seen ALARM is a change from the OK it left.
    /// </summary>
    public Decision? Count(EventStep step)
    {
        var alert = step.Alert;
        var lastKnown = step.Stored?.LastKnownStatus ?? AlertStatus.Resolved;
        step.Changed = alert.Status != AlertStatus.Unknown && alert.Status != lastKnown;
        var changes = (step.Stored?.Changes ?? []).Where(t => t > alert.StateTimestamp - Window).ToList();
        if (step.Changed)
        {
            changes.Add(alert.StateTimestamp);
        }

        step.Path.Add($"{changes.Count} state change(s) within {DecisionText.Duration(Window)}");
        step.Next = step.Next with
        {
            Changes = changes,
            Flapping = step.Stored?.Flapping ?? false,
            LastKnownStatus = alert.Status == AlertStatus.Unknown ? step.Stored?.LastKnownStatus : alert.Status,
        };
        return null;
    }

    /// <summary>Event time: already flapping, so quiet; or flapping now, told once (not at all while muted).</summary>
    public Decision? Flap(EventStep step)
    {
        var next = step.Next;
        if (next.Flapping)
        {
            var reason = $"flapping: quiet until stable for {DecisionText.Duration(Window)} (since the last change at {DecisionText.Format(step.Alert.StateTimestamp)})";
            return step.Done(DecisionKinds.Flapping, reason, next, []);
        }

        if (!step.Changed || next.Changes.Count < Threshold)
        {
            return null;
        }

        if (step.Alert.Status == AlertStatus.Firing && muted(step) is { } muting)
        {
            // Flapping under a silence or an inhibition: remember it, send nothing.
            var reason = $"flapping ({next.Changes.Count} state changes within {DecisionText.Duration(Window)}) while {muting.Reason}; nothing sent";
            return step.Done(DecisionKinds.Flapping, reason, next with { Flapping = true, Pending = [] }, []);
        }

        // An incident receiver (PagerDuty) keeps one incident: the notice updates an open one, or opens it on a firing
        // change; on a resolved change with its incident closed it is not reopened (the settled notice tells the rest).
        var resolved = step.Alert.Status == AlertStatus.Resolved;
        var notifications = Notification.ToRoutes(step.Alert, DeliveryActions.Flapping, step.Routes.Where(r =>
            !resolved || !settings.KeepsIncidents(r.Receiver) || next.ToldFiring.Contains(r.Receiver, StringComparer.Ordinal)));
        next = next with
        {
            Flapping = true, Pending = [], Suppressed = null, LastNotifiedAt = step.Now, NotifiedStatus = AlertStatus.Firing,
            ToldFiring = StateChanges.Told(next.ToldFiring, notifications.Select(n => n.Receiver)),
        };
        var told = $"notify: flapping ({next.Changes.Count} state changes within {DecisionText.Duration(Window)}) to {Notification.Receivers(notifications)}; quiet until stable for {DecisionText.Duration(Window)}";
        return step.Done(DecisionKinds.Notify, told, next, notifications);
    }

    /// <summary>Tick time: a flapping alert stays quiet until stable for a whole window, then one notification of where it settled.</summary>
    public TickPlan? Settle(TickStep step)
    {
        var s = step.State;
        if (!s.Flapping)
        {
            return null;
        }

        if (step.Now < LastChange(s) + Window)
        {
            return TickPlan.Unchanged(s);
        }

        var firing = s.State == AlarmState.Alarm;
        var action = firing ? DeliveryActions.Trigger : s.NotifiedStatus == AlertStatus.Firing && s.State == AlarmState.Ok ? DeliveryActions.Resolve : null;
        // Settled firing: told to every route. Settled resolved: only those told it fires hear the resolve.
        var notifications = action is null ? []
            : Notification.ToRoutes(step.Alert, action, firing ? step.Routes : step.Routes.Where(r => s.ToldFiring.Contains(r.Receiver, StringComparer.Ordinal)));
        var after = s with
        {
            Flapping = false,
            Changes = [],
            NotifiedStatus = action is null ? s.NotifiedStatus : firing ? AlertStatus.Firing : AlertStatus.Resolved,
            LastNotifiedAt = firing ? step.Now : s.LastNotifiedAt,
            LastDecision = DecisionKinds.Notify,
            ToldFiring = action is null ? s.ToldFiring : firing ? StateChanges.Told(s.ToldFiring, notifications.Select(n => n.Receiver)) : [],
        };
        return new TickPlan(after, notifications, $"stable for {DecisionText.Duration(Window)}: {action ?? "no"} notification of {s.State.Wire()}");
    }

    /// <summary>Due: a flapping alert is looked at when a whole window has passed since its last change.</summary>
    public DateTimeOffset? Due(AlertState s, IReadOnlyList<MatchedRoute> routes) => s.Flapping ? LastChange(s) + Window : null;

    private static DateTimeOffset LastChange(AlertState s) => s.Changes.Count > 0 ? s.Changes[^1] : s.StateTimestamp;
}
