using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Decisions;

/// <summary>How one event moves an alert's stored state on, whatever the stages then decide.</summary>
public static class StateChanges
{
    /// <summary>State items are garbage-collected this long after their last change (TTL is GC only).</summary>
    public static readonly TimeSpan StateRetention = TimeSpan.FromDays(90);

    /// <summary>
    /// The stored state moved on by this event: its state and id, the next version, the alert as normalized; what the
    /// stages keep between events (notified status, last notice, suppression, held notifications) as stored.
    /// </summary>
    public static AlertState Next(Alert alert, AlertState? stored, DateTimeOffset now, string? alertJson) => new()
    {
        Key = alert.Key,
        State = alert.State,
        StateTimestamp = alert.StateTimestamp,
        NotifiedStatus = stored?.NotifiedStatus,
        RecentEventIds = AppendId(stored?.RecentEventIds ?? [], alert.EventId),
        LastDecision = string.Empty,
        LastReason = string.Empty,
        AlertJson = alertJson ?? stored?.AlertJson,
        Version = (stored?.Version ?? 0) + 1,
        UpdatedAt = now,
        LastNotifiedAt = stored?.LastNotifiedAt,
        Suppressed = stored?.Suppressed,
        Pending = stored?.Pending ?? [],
        ToldFiring = stored?.ToldFiring ?? [],
        ReactionRuns = stored?.ReactionRuns ?? [],
        History = stored?.History ?? [],
    };

    /// <summary>The stored state, unchanged but for remembering this event (and why nothing else changed).</summary>
    public static AlertState Remember(AlertState stored, Alert alert, DateTimeOffset now, string kind, string reason) => stored with
    {
        RecentEventIds = AppendId(stored.RecentEventIds, alert.EventId),
        Version = stored.Version + 1,
        UpdatedAt = now,
        LastDecision = kind,
        LastReason = reason,
    };

    /// <summary>
    /// The Tick's plan for a firing alert no longer muted (a silence, inhibition, CloudWatch or time mute ended): sent now
    /// on <paramref name="free"/> routes without a group wait; on those with one it joins its group's flush (this tick's),
    /// so alerts of one group released together go out as one digest; <paramref name="held"/> routes wait on.
    /// </summary>
    public static TickPlan Released(TickStep step, Suppression was, IReadOnlyList<MatchedRoute> free, IReadOnlyList<PendingNotification> held)
    {
        var s = step.State;
        var notifications = Notification.ToRoutes(step.Alert, DeliveryActions.Trigger, free.Where(r => r.GroupWait <= TimeSpan.Zero));
        var joining = free.Where(r => r.GroupWait > TimeSpan.Zero)
            .Select(r => new PendingNotification(r.Id, RouteTree.GroupKey(r, step.Alert.Labels), r.Receiver, step.Now));
        var after = s with
        {
            Suppressed = null, NotifiedStatus = AlertStatus.Firing, LastNotifiedAt = step.Now, LastDecision = DecisionKinds.Notify,
            ToldFiring = Told(s.ToldFiring, notifications.Select(n => n.Receiver)),
            Pending = [.. s.Pending.Where(p => !free.Any(r => r.Id == p.RouteId) && !held.Any(h => h.RouteId == p.RouteId)), .. joining, .. held],
        };
        var reason = $"notify: no longer suppressed ({was.What} ended)" + string.Concat(held.Select(h => $"; {h.Receiver} muted by time until {DecisionText.Format(h.DueAt)}"));
        return new TickPlan(after, notifications, reason);
    }

    /// <summary>The notification log with these receivers told firing (each once, in the order first told).</summary>
    public static IReadOnlyList<string> Told(IReadOnlyList<string> told, IEnumerable<string> receivers)
    {
        var list = new List<string>(told);
        foreach (var r in receivers)
        {
            if (!list.Contains(r, StringComparer.Ordinal))
            {
                list.Add(r);
            }
        }

        return list.Count == told.Count ? told : list;
    }

    private static List<string> AppendId(IReadOnlyList<string> ids, string id)
    {
        var list = new List<string>(ids.Count + 1);
        list.AddRange(ids.Count >= AlertState.RememberedEventIds ? ids.Skip(ids.Count - AlertState.RememberedEventIds + 1) : ids);
        list.Add(id);
        return list;
    }
}
