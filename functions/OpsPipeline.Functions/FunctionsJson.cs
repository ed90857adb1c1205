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
public sealed record DeliverResult(string Receiver, string Channel, string DedupKey, int Status);

/// <summary>Source-generated JSON for the handlers' contracts (camelCase, matched by the ASL paths).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DecideResult))]
[JsonSerializable(typeof(DeliverResult))]
[JsonSerializable(typeof(Delivery))]
public sealed partial class FunctionsJsonContext : JsonSerializerContext;
