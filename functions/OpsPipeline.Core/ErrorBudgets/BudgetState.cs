namespace OpsPipeline.Core.ErrorBudgets;

/// <summary>A stretch of bad time: [Start, End), open (End null) while any of the SLO's alarms is in ALARM.</summary>
public sealed record BadInterval(DateTimeOffset Start, DateTimeOffset? End);

/// <summary>One burn-rate alert's episode: firing since when (null: not firing).</summary>
public sealed record BurnEpisode(string Id, DateTimeOffset? FiringSince);

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

    /// <summary>Whether "budget exhausted" was notified (re-armed when consumption falls below 90%).</summary>
    public bool ExhaustedNotified { get; init; }

    public long Version { get; init; }

    public static BudgetState Empty(string slo) => new() { Slo = slo };
}
