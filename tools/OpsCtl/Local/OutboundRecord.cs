using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsCtl.Local;

/// <summary>One notification that left the pipeline, as a receiver got it: the line `opsctl local` prints.</summary>
public sealed record OutboundRecord
{
    public required string Receiver { get; init; }

    public required string Channel { get; init; }

    public required string Action { get; init; }

    public required string AlertKey { get; init; }

    public required string DedupKey { get; init; }

    public required bool Drill { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Subject { get; init; }

    /// <summary>The exact body sent (SNS: the message string).</summary>
    public required JsonElement Payload { get; init; }

    /// <summary>When it went out, on the pipeline's clock (not printed: the line's contract is what the receiver got).</summary>
    [JsonIgnore]
    public DateTimeOffset At { get; init; }
}

/// <summary>Something parked instead of delivered: a failed delivery or a rejected event, with its reason.</summary>
public sealed record ParkedRecord(string Queue, string Body);

/// <summary>The end of one state machine execution as the local Step Functions reported it.</summary>
public sealed record ExecutionOutcome(string Id, string Status, JsonElement? Output, string? Error, string? Cause, int Transitions);

/// <summary>Source-generated JSON for opsctl's own output.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OutboundRecord))]
[JsonSerializable(typeof(RunSummary))]
internal sealed partial class OpsCtlJsonContext : JsonSerializerContext;
