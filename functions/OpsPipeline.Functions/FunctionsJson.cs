using System.Text.Json.Serialization;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Functions;

/// <summary>What Decide returns to the state machine: the decision and the deliveries the Map sends.</summary>
public sealed record DecideResult(string EventId, string? AlertKey, string Decision, string Reason, IReadOnlyList<Delivery> Deliveries)
{
    /// <summary>The steps of the decision, for explaining it (opsctl local --explain, execution history).</summary>
    public IReadOnlyList<string> Path { get; init; } = [];
}

/// <summary>What Deliver returns for a delivery the receiver accepted.</summary>
public sealed record DeliverResult(string Receiver, string Channel, string DedupKey, int Status)
{
    /// <summary>Set when the receiver asked to wait longer than Deliver waits inline: the state machine waits, then sends again.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>How many such waits this delivery has had (bounded: then it is an ordinary transient failure).</summary>
    public int RateLimitedCount { get; init; }
}

/// <summary>What the state machine carries back into Deliver after a Retry-After wait (ResultPath $.outcome).</summary>
public sealed record DeliveryOutcome(int RateLimitedCount);

/// <summary>A delivery as Deliver receives it: the Delivery plus, after a rate-limit wait, the previous outcome.</summary>
public sealed record DeliveryAttempt
{
    public DeliveryOutcome? Outcome { get; init; }
}

/// <summary>Source-generated JSON for the handlers' contracts (camelCase, matched by the ASL paths).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DecideResult))]
[JsonSerializable(typeof(DeliverResult))]
[JsonSerializable(typeof(Delivery))]
[JsonSerializable(typeof(DeliveryAttempt))]
public sealed partial class FunctionsJsonContext : JsonSerializerContext;
