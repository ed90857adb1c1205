using System.Text.Json.Serialization;

namespace OpsPipeline.Core.Dlq;

/// <summary>One SQS message as EventBridge Pipes (and SQS → Lambda) deliver it; our own type, since the Lambda event packages are not used.</summary>
public sealed record SqsRecord
{
    public string? MessageId { get; init; }

    public string? ReceiptHandle { get; init; }

    public string? Body { get; init; }

    public SqsSystemAttributes? Attributes { get; init; }

    public Dictionary<string, SqsMessageAttribute>? MessageAttributes { get; init; }

    public string? Md5OfBody { get; init; }

    public string? EventSource { get; init; }

    [JsonPropertyName("eventSourceARN")]
    public string? EventSourceArn { get; init; }

    public string? AwsRegion { get; init; }
}

/// <summary>SQS system attributes (strings on the wire, as SQS sends them).</summary>
public sealed record SqsSystemAttributes
{
    [JsonPropertyName("ApproximateReceiveCount")]
    public string? ApproximateReceiveCount { get; init; }

    /// <summary>Epoch milliseconds, as a string.</summary>
    [JsonPropertyName("SentTimestamp")]
    public string? SentTimestamp { get; init; }

    [JsonPropertyName("SenderId")]
    public string? SenderId { get; init; }

    [JsonPropertyName("ApproximateFirstReceiveTimestamp")]
    public string? ApproximateFirstReceiveTimestamp { get; init; }
}

/// <summary>A message attribute: the producer's metadata (Lambda and EventBridge put the failure reason here).</summary>
public sealed record SqsMessageAttribute
{
    public string? StringValue { get; init; }

    public string? BinaryValue { get; init; }

    public string? DataType { get; init; }
}

/// <summary>The SQS → Lambda wrapper, accepted by opsctl local beside a Pipes batch (a bare array).</summary>
public sealed record SqsBatch
{
    [JsonPropertyName("Records")]
    public List<SqsRecord>? Records { get; init; }
}

/// <summary>Source-generated JSON for SQS records and DLQ arrivals.</summary>
[JsonSourceGenerationOptions(AllowDuplicateProperties = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<SqsRecord>))]
[JsonSerializable(typeof(SqsBatch))]
[JsonSerializable(typeof(DlqArrival))]
[JsonSerializable(typeof(List<DlqArrival>))]
[JsonSerializable(typeof(OpsPipeline.Core.Events.EventBridgeEvent<DlqArrival>))]
public sealed partial class DlqJsonContext : JsonSerializerContext;
