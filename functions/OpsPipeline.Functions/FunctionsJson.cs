using System.Text.Json.Serialization;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Pipeline;

namespace OpsPipeline.Functions;

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

/// <summary>Source-generated JSON for the handlers' contracts (camelCase, matched by the ASL paths).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DecideResult))]
[JsonSerializable(typeof(DeliverResult))]
[JsonSerializable(typeof(Delivery))]
[JsonSerializable(typeof(DeliverInput))]
public sealed partial class FunctionsJsonContext : JsonSerializerContext;
