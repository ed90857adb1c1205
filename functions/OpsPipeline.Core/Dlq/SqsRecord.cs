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

    /// <summary>
    /// The record's JSON exactly as it arrived in the batch (empty for a record built in code): an unreadable record
    /// is reported by this text's size and SHA-256, so it can be found and nothing of it is lost.
    /// </summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte> Raw { get; init; }

    /// <summary>
    /// Why the record's JSON could not be bound (a field of the wrong type, a duplicated key, not an object), naming the
    /// field as <c>Records[i].…</c>; null when it was read. Such a record is still enriched, as unreadable.
    /// </summary>
    [JsonIgnore]
    public string? ReadProblem { get; init; }
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

/// <summary>Source-generated JSON for SQS records (the arrivals made of them: <see cref="Events.DlqArrivalJsonContext"/>).</summary>
[JsonSourceGenerationOptions(AllowDuplicateProperties = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SqsRecord))]
[JsonSerializable(typeof(List<SqsRecord>))]
[JsonSerializable(typeof(SqsBatch))]
public sealed partial class DlqJsonContext : JsonSerializerContext;
