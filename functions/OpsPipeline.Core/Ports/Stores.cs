using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;

namespace OpsPipeline.Core.Ports;

/// <summary>Error-budget state per SLO.</summary>
public interface IBudgetStore
{
    Task<BudgetState> GetAsync(string slo, CancellationToken ct);

    /// <summary>Writes the state if its version is still the one read. False on conflict.</summary>
    Task<bool> TryWriteAsync(BudgetState state, CancellationToken ct);

    /// <summary>Reads, changes and writes conditionally until the write wins.</summary>
    Task<BudgetState> UpdateAsync(string slo, Func<BudgetState, BudgetState> change, CancellationToken ct);
}

/// <summary>Where recovery drills report each replayed event.</summary>
public interface IDrillReports
{
    Task AppendAsync(DrillReportRow row, DateTimeOffset now, CancellationToken ct);
}

/// <summary>Deliveries put off to a later tick (a long Retry-After, or too little time left in the execution).</summary>
public interface IDeferredDeliveries
{
    Task PutAsync(Delivery delivery, DateTimeOffset retryAt, CancellationToken ct);

    /// <summary>
    /// Takes (removes and returns) the deliveries due at or before <paramref name="until"/>, each for one taker only:
    /// <paramref name="taker"/> names the tick execution, so a retry of the same tick takes the same deliveries again
    /// and a duplicated execution (EXPRESS starts are at-least-once) takes none of them.
    /// </summary>
    Task<IReadOnlyList<Delivery>> TakeDueAsync(DateTimeOffset until, string taker, CancellationToken ct);
}

/// <summary>What the flood guard held for one receiver since it last told it, and why.</summary>
public sealed record FloodTally(string Receiver, long HeldForAlert, long HeldForReceiver, DateTimeOffset Since);

/// <summary>The flood guard's shared record of what it held per receiver, to be told once.</summary>
public interface IFloodLedger
{
    /// <summary>
    /// Counts one notification to <paramref name="receiver"/> in the minute of <paramref name="now"/>. A capped one
    /// counts only while the minute has room (false: hold it); one that is always sent (no cap) counts regardless.
    /// </summary>
    Task<bool> TryCountAsync(string receiver, DateTimeOffset now, int? cap, CancellationToken ct);

    /// <summary>Records <paramref name="count"/> notifications held for <paramref name="receiver"/> (by the cap per alert or per receiver).</summary>
    Task HoldAsync(string receiver, bool forAlert, int count, DateTimeOffset now, CancellationToken ct);

    /// <summary>Takes the tallies whose notice is due at or before <paramref name="until"/>.</summary>
    Task<IReadOnlyList<FloodTally>> TakeDueAsync(DateTimeOffset until, CancellationToken ct);
}

/// <summary>How many times each reaction ran in each hour across all alerts: its <c>maxPerHour</c>.</summary>
public interface IReactionLedger
{
    /// <summary>
    /// Counts run <paramref name="runId"/> of <paramref name="reaction"/> in the hour of <paramref name="now"/> while the
    /// hour has fewer than <paramref name="cap"/> runs (false: the cap is reached, do not run it). A run already
    /// counted (a retried decision) counts once and is allowed again.
    /// </summary>
    Task<bool> TryCountAsync(string reaction, string runId, DateTimeOffset now, int cap, CancellationToken ct);

    /// <summary>The runs whose outcome is due to be learned or told at or before <paramref name="until"/>.</summary>
    Task<IReadOnlyList<ReactionRunRecord>> RunsDueAsync(DateTimeOffset until, CancellationToken ct);

    /// <summary>
    /// Marks the run's outcome as told (conditional: only once, whoever asks first); false when it was told already or
    /// is gone, so two ticks never tell it twice.
    /// </summary>
    Task<bool> TryTellOutcomeAsync(ReactionRunRecord run, ReactionOutcome outcome, DateTimeOffset now, CancellationToken ct);

    /// <summary>A run still going: look again at <paramref name="at"/>.</summary>
    Task CheckAgainAsync(ReactionRunRecord run, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Records how a started run ended, reported by its service (a state machine's status-change event), due to be
    /// told at <paramref name="now"/>. Only a run still recorded as started changes; false for any other execution
    /// (not a run of this pipeline, or its end recorded or told already).
    /// </summary>
    Task<bool> TryRecordEndAsync(string execution, string recorded, string? error, string? cause, DateTimeOffset now, CancellationToken ct);
}

/// <summary>How a started run is going, asked of the service that runs it (SQS move tasks, SSM Automation).</summary>
public interface IReactionStatus
{
    /// <summary>
    /// How the run ended, or null while it still runs or when its kind is not asked (a stepFunctions run reports
    /// through its status-change event). Throws when the service cannot be asked; the Tick asks again.
    /// </summary>
    Task<ReactionOutcome?> CheckAsync(ReactionRunRecord run, CancellationToken ct);
}

/// <summary>Counts and measurements (EMF in Lambda).</summary>
public interface IMetrics
{
    void Count(string name, params (string Name, string Value)[] dimensions);

    void Emit(string name, double value, string unit, params (string Name, string Value)[] dimensions);
}

/// <summary>How the stores' failures are told apart: the use cases keep what they committed when a store is down.</summary>
public interface IStoreFaults
{
    /// <summary>A store request failed (throttled, unavailable, refused): the work it was for waits for a retry or the next tick.</summary>
    bool IsStoreFailure(Exception e);

    /// <summary>A failure that a retry of the whole step may not meet (throttling, a brief outage).</summary>
    bool IsTransient(Exception e);

    /// <summary>The failure as a reason names it: `DynamoDB ThrottlingException`.</summary>
    string Describe(Exception e);
}

/// <summary>One delivery in a drill report: who would have been (or was) notified, and how.</summary>
public sealed record DrillDelivery(string Receiver, string Channel, string Action);

/// <summary>A reaction a drill did not run, as production would have run it: its kind (lambda, stepFunctions, …), target and rendered input.</summary>
public sealed record DrillReaction(string Name, string Kind, string Target, string Input);

/// <summary>One replayed event in a drill report: what the pipeline decided, what production would have sent, what the drill sent.</summary>
public sealed record DrillReportRow
{
    public required string ReplayName { get; init; }

    public required string EventId { get; init; }

    public required DateTimeOffset EventTime { get; init; }

    public string? AlertKey { get; init; }

    public string? AlertName { get; init; }

    public string? State { get; init; }

    /// <summary>notify, duplicate, stale, … or "rejected" when the event failed.</summary>
    public required string Decision { get; init; }

    public required string Reason { get; init; }

    public IReadOnlyList<DrillDelivery> WouldSend { get; init; } = [];

    public IReadOnlyList<DrillDelivery> Sent { get; init; } = [];

    /// <summary>The reactions production would have started for this event (a drill starts none).</summary>
    public IReadOnlyList<DrillReaction> WouldReact { get; init; } = [];
}
