namespace OpsPipeline.Core.Events;

/// <summary>The EventBridge source and detail-type of a DLQ arrival, which the Dlq enricher writes and the parser reads.</summary>
public static class DlqEventTypes
{
    public const string Source = "ops-pipeline.dlq";

    public const string MessageArrived = "DLQ Message Arrived";
}

/// <summary>Why a message was dead-lettered, where its producer said so.</summary>
public sealed record DlqFailure
{
    /// <summary>lambda | eventbridge | sns | stepfunctions | unknown.</summary>
    public required string Kind { get; init; }

    public string? RequestId { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public string? RuleArn { get; init; }

    public string? TargetArn { get; init; }
}

/// <summary>
/// The detail of a "DLQ Message Arrived" event: where the message sat, what it was, and why it failed. The body
/// travels inline only when small (the event goes through a 256 KiB Step Functions state); larger bodies are
/// parked and referenced by <see cref="BodyRef"/>, never dropped.
/// </summary>
public sealed record DlqArrival
{
    public required string QueueArn { get; init; }

    public required string QueueName { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string MessageId { get; init; }

    public DateTimeOffset? SentTime { get; init; }

    public int? ReceiveCount { get; init; }

    public required int BodySize { get; init; }

    public required string BodySha256 { get; init; }

    /// <summary>The whole body, when at most <c>Dlq.DlqEnricher.InlineBodyLimit</c> bytes.</summary>
    public string? Body { get; init; }

    /// <summary>The first characters of the body, always (for the notification).</summary>
    public required string BodyPreview { get; init; }

    /// <summary>Where a body too large to travel was parked ("dlqbody/{sha256}"); null when inline.</summary>
    public string? BodyRef { get; init; }

    public required DlqFailure Failure { get; init; }

    /// <summary>
    /// Why the SQS record itself could not be read, naming the field (e.g. <c>Records[3].messageId: required field is
    /// missing</c>); null for a readable record. An unreadable record still becomes an arrival, so one bad record never
    /// fails the Pipe's batch: its queue is the ARN's when that parses (else "unknown"), its message id "unknown-&lt;index&gt;"
    /// when missing, and <see cref="BodySize"/>, <see cref="BodySha256"/>, <see cref="Body"/> and <see cref="BodyPreview"/>
    /// describe the whole record's JSON as received, not a message body.
    /// </summary>
    public string? Unreadable { get; init; }
}
