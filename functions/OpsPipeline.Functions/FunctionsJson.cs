using System.Text.Json.Serialization;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Functions;

/// <summary>What Decide returns to the state machine: the decision and the deliveries the Map sends.</summary>
public sealed record DecideResult(string EventId, string? AlertKey, string Decision, string Reason, IReadOnlyList<Delivery> Deliveries)
{
    /// <summary>The steps of the decision, for explaining it (opsctl local --explain, execution history).</summary>
    public IReadOnlyList<string> Path { get; init; } = [];
}

/// <summary>What Deliver returns: the receiver accepted the delivery, or it was put off to a later tick.</summary>
public sealed record DeliverResult(string Receiver, string Channel, string DedupKey, int Status)
{
    /// <summary>Set when the delivery was deferred: the first tick at or after this time sends it again.</summary>
    public DateTimeOffset? DeferredUntil { get; init; }

    /// <summary>Set when the flood guard held it (its receiver is told how many, once, a minute later).</summary>
    public string? Held { get; init; }
}

/// <summary>
/// Deliver's input as the state machine passes it: the delivery, and when the execution started, so Deliver can
/// tell whether the execution still has time to try (see DeliverFunction.DeadlineReserve).
/// </summary>
public sealed record DeliverInput(Delivery Delivery, DateTimeOffset? ExecutionStartedAt);

/// <summary>What Decide returns when asked to park a failed input: the message body for the parked-event queue, and the error it names.</summary>
public sealed record ParkResult(string Body, string Error, string Cause);

/// <summary>Source-generated JSON for the handlers' contracts (camelCase, matched by the ASL paths).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DecideResult))]
[JsonSerializable(typeof(DeliverResult))]
[JsonSerializable(typeof(Delivery))]
[JsonSerializable(typeof(DeliverInput))]
public sealed partial class FunctionsJsonContext : JsonSerializerContext;
