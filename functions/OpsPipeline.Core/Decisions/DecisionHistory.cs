using OpsPipeline.Core.Alerts;

namespace OpsPipeline.Core.Decisions;

/// <summary>One decision about an alert, as `opsctl alert explain` shows it: when, on what, what and why, who was told, what muted it.</summary>
/// <param name="At">The pipeline's clock at the decision.</param>
/// <param name="On">What was decided on: the transition of an event ("ALARM at … (event ID)"), or "tick".</param>
/// <param name="Decision">notify, grouped, suppressed, stale, recorded, …</param>
/// <param name="Reason">The stored reason, at most <see cref="DecisionHistory.MaxReasonLength"/> characters.</param>
/// <param name="Told">The receivers this decision sent to (none when it held, muted or only recorded).</param>
/// <param name="MutedBy">What muted the alert after this decision (a silence, an inhibition, a time interval, CloudWatch), if anything.</param>
public sealed record DecisionRecord(DateTimeOffset At, string On, string Decision, string Reason, IReadOnlyList<string> Told, string? MutedBy);

/// <summary>
/// An alert's last decisions, kept in its own state item and written by the commit that makes them (no extra request,
/// nothing half-applied). Bounded: at most <see cref="Remembered"/> records, each reason cut at <see cref="MaxReasonLength"/>
/// characters and each origin at <see cref="MaxOnLength"/>, so the history adds at most about 7 KB to the item before it is
/// compressed (measured on the packed item: 5 write units for ten records at every bound, of text that does not compress);
/// a typical record (a 60-character reason, one receiver) is about 200 bytes, far less packed.
/// </summary>
public static class DecisionHistory
{
    /// <summary>How many decisions an alert's state keeps, newest last.</summary>
    public const int Remembered = 10;

    /// <summary>A stored reason is cut here (the full one is in the decision's log line and --explain).</summary>
    public const int MaxReasonLength = 240;

    /// <summary>A stored origin is cut here (an event id is at most 64 characters; an origin is about 60 with it).</summary>
    public const int MaxOnLength = 120;

    /// <summary>At most this many receivers named per record.</summary>
    public const int MaxTold = 8;

    /// <summary>The state to commit after Decide's decision on <paramref name="alert"/>'s event, with that decision remembered.</summary>
    public static AlertState AfterEvent(AlertState next, Alert alert, Decision decision, DateTimeOffset now) =>
        Append(next, new DecisionRecord(
            now, $"{alert.State.Wire()} at {DecisionText.Format(alert.StateTimestamp)} (event {alert.EventId})", decision.Kind, decision.Reason,
            Receivers(decision.Notifications), next.Suppressed?.What));

    /// <summary>
    /// The state to commit after a tick's change of it, with that change remembered; a change that sends nothing and
    /// leaves the decision, its reason and the mute as they were (bookkeeping: a hold moved, a window slid) is no decision.
    /// </summary>
    public static AlertState AfterTick(TickChange change, DateTimeOffset now)
    {
        var (before, after) = (change.Before, change.After);
        if (change.Notifications.Count == 0 && after.LastDecision == before.LastDecision && after.LastReason == before.LastReason && after.Suppressed?.What == before.Suppressed?.What)
        {
            return after;
        }

        return Append(after, new DecisionRecord(now, "tick", after.LastDecision, after.LastReason, Receivers(change.Notifications), after.Suppressed?.What));
    }

    /// <summary><paramref name="state"/> with <paramref name="record"/> (bounded) as its newest decision, the oldest dropped past <see cref="Remembered"/>.</summary>
    public static AlertState Append(AlertState state, DecisionRecord record)
    {
        var bounded = record with
        {
            On = Cut(record.On, MaxOnLength),
            Reason = Cut(record.Reason, MaxReasonLength),
            Told = record.Told.Count > MaxTold ? [.. record.Told.Take(MaxTold)] : record.Told,
            MutedBy = record.MutedBy is null ? null : Cut(record.MutedBy, MaxReasonLength),
        };
        var kept = state.History.Count >= Remembered ? state.History.Skip(state.History.Count - Remembered + 1) : state.History;
        return state with { History = [.. kept, bounded] };
    }

    private static List<string> Receivers(IEnumerable<Notification> notifications) =>
        [.. notifications.Select(n => n.Receiver).Distinct(StringComparer.Ordinal)];

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
