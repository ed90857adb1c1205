using OpsPipeline.Core.Alerts;

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
