using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Core.Pipeline;

/// <summary>Everything the use cases read and write, behind Core's ports; DynamoDB in Lambda and locally, memory in the tests.</summary>
public sealed record PipelinePorts(
    IAlertStateStore AlertStates,
    ISilenceStore Silences,
    ISilenceSource CachedSilences,
    IBudgetStore Budgets,
    IDrillReports DrillReports,
    IDeferredDeliveries Deferred,
    IFloodLedger Floods,
    IReactionLedger Reactions,
    IMetrics Metrics,
    IStoreFaults Faults,
    TimeProvider Clock)
{
    /// <summary>Asks SQS and SSM how a started reaction is going; none by default (runs then end by their deadline).</summary>
    public IReactionStatus ReactionStatus { get; init; } = NoReactionStatus.Instance;
}

/// <summary>Asks no service: a run that is not reported otherwise is told as timed out at its deadline.</summary>
public sealed class NoReactionStatus : IReactionStatus
{
    public static NoReactionStatus Instance { get; } = new();

    public Task<ReactionOutcome?> CheckAsync(ReactionRunRecord run, CancellationToken ct) => Task.FromResult<ReactionOutcome?>(null);
}

/// <summary>What Decide and the Tick return to the state machine: the decision and the deliveries the Map sends.</summary>
public sealed record DecideResult(string EventId, string? AlertKey, string Decision, string Reason, IReadOnlyList<Delivery> Deliveries)
{
    /// <summary>The steps of the decision, for explaining it (opsctl local --explain, execution history).</summary>
    public IReadOnlyList<string> Path { get; init; } = [];

    /// <summary>
    /// The reactions to start, committed with the alert's state. Not written to the state machine as such: each is
    /// also one of <see cref="Deliveries"/> (channel = its kind), which the Map starts through its integration.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<Reaction> Reactions { get; init; } = [];
}

/// <summary>
/// Write contention on one alert's state, or a throttled store: transient, retried by the state machine. The type name
/// is the Step Functions error name matched by ErrorEquals in statemachines/alert-pipeline.asl.json.
/// </summary>
public sealed class StateConflictException(string message) : Exception(message);
