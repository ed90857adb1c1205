namespace OpsPipeline.Core.ErrorBudgets;

/// <summary>A stretch of bad time: [Start, End), open (End null) while any of the SLO's alarms is in ALARM.</summary>
public sealed record BadInterval(DateTimeOffset Start, DateTimeOffset? End);

/// <summary>
/// One burn-rate alert's episode: firing since when (null: not firing). <paramref name="Folded"/>: it fired while its
/// SLO's incident was open and went to the SLO's team receiver, so it was folded into the incident (told at its end,
/// never on its own, and it does not keep the incident open).
/// </summary>
public sealed record BurnEpisode(string Id, DateTimeOffset? FiringSince, bool Folded = false);

/// <summary>
/// What one SLO stores: merged bad intervals (overlapping alarms count once), which of its alarms are in ALARM,
/// the newest transition applied per alarm (so late transitions are ignored), and the burn-alert episodes.
/// One DynamoDB item, written with a conditional write on <see cref="Version"/>.
/// </summary>
public sealed record BudgetState
{
    /// <summary>Bound on stored intervals: keeps the item far below DynamoDB's 400 KB whatever the alarm does.</summary>
    public const int MaxIntervals = 500;

    public required string Slo { get; init; }

    public IReadOnlyList<BadInterval> Intervals { get; init; } = [];

    /// <summary>The SLO's alarms now in ALARM, with the time each entered it.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> InAlarm { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>The newest state timestamp applied per alarm: an older transition is recorded elsewhere, never counted.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> LastApplied { get; init; } = new Dictionary<string, DateTimeOffset>();

    public IReadOnlyList<BurnEpisode> Episodes { get; init; } = [];

    /// <summary>
    /// The SLO's incident: open since when (null: none). Opened by an alarm of the SLO entering ALARM or a burn alert
    /// told; ended by the Tick once no alarm is in ALARM, no told burn alert fires and no page is open
    /// (<see cref="Paged"/>), when its team receiver is told what it cost.
    /// </summary>
    public DateTimeOffset? IncidentSince { get; init; }

    /// <summary>
    /// Receivers that keep incidents (PagerDuty) whose incident for this SLO (dedup_key <c>slo:{name}</c>) is open and
    /// that the Tick resolves once nothing behind it fires: a burn alert told them, or an alarm's resolve was handed over.
    /// </summary>
    public IReadOnlyList<string> Paged { get; init; } = [];

    /// <summary>The labels each of the SLO's alarms had at its latest transition: a silence that matches them holds the SLO's pages too.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> AlarmLabels { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>Each of the SLO's alarms' alert key: the Tick reads their notification logs before it resolves the incident.</summary>
    public IReadOnlyDictionary<string, string> AlarmKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether "budget exhausted" was notified (re-armed when consumption falls below 90%).</summary>
    public bool ExhaustedNotified { get; init; }

    public long Version { get; init; }

    public static BudgetState Empty(string slo) => new() { Slo = slo };

    /// <summary>Whether <paramref name="other"/> records the same notices told (episodes, exhaustion, the incident): if so there is nothing to write.</summary>
    public bool SameTold(BudgetState other) =>
        Episodes.SequenceEqual(other.Episodes) && ExhaustedNotified == other.ExhaustedNotified
        && IncidentSince == other.IncidentSince && Paged.SequenceEqual(other.Paged, StringComparer.Ordinal);

    /// <summary>An alarm's resolve to <paramref name="receiver"/> handed to the SLO's incident (adding it twice changes nothing).</summary>
    public BudgetState WithPaged(string receiver) =>
        Paged.Contains(receiver, StringComparer.Ordinal) ? this : this with { Paged = [.. Paged, receiver] };
}
