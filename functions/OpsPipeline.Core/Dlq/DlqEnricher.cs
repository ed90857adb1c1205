using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Dlq;

/// <summary>A DLQ arrival and, when the body was too large to travel, the bytes to park.</summary>
public sealed record DlqEnrichment(DlqArrival Arrival, ReadOnlyMemory<byte>? ParkedBody);

/// <summary>
/// Turns SQS records (as Pipes deliver them) into "DLQ Message Arrived" details: queue, message, size, hash, body
/// when it fits, and the failure reason the producer left (Lambda async DLQ, EventBridge rule DLQ, SNS, Step Functions).
/// A malformed body or missing attribute never fails enrichment: it is reported as it is.
/// </summary>
public static class DlqEnricher
{
    public const string Source = "ops-pipeline.dlq";
    public const string DetailType = "DLQ Message Arrived";

    /// <summary>
    /// Bodies up to 64 KiB travel inline: with the envelope and Decide's output the execution state stays far under
    /// Step Functions' 256 KiB. Larger ones (SQS takes 1 MiB) are parked in the table and referenced.
    /// </summary>
    public const int InlineBodyLimit = 64 * 1024;

    public const int PreviewChars = 512;

    /// <summary>Reads a Pipes batch (a JSON array of records) or an SQS → Lambda event ({"Records": [...]}).</summary>
    public static IReadOnlyList<SqsRecord> ParseRecords(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var trimmed = utf8Json.TrimStart(" \t\r\n"u8);
            if (trimmed.Length > 0 && trimmed[0] == (byte)'[')
            {
                return JsonSerializer.Deserialize(trimmed, DlqJsonContext.Default.ListSqsRecord) ?? [];
            }

            var batch = JsonSerializer.Deserialize(trimmed, DlqJsonContext.Default.SqsBatch);
            return batch?.Records ?? throw new InvalidEventException("Records", "Records: required field is missing (expected a JSON array of SQS records or {\"Records\": [...]})");
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) ? "(root)" : e.Path.TrimStart('$', '.');
            throw new InvalidEventException(path, $"{path}: not a valid SQS record batch ({e.Message})", e);
        }
    }

    /// <summary>True when a JSON document looks like SQS records rather than an EventBridge event.</summary>
    public static bool LooksLikeSqsRecords(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8Json.ToArray());
            var root = doc.RootElement;
            return root.ValueKind switch
            {
                JsonValueKind.Array => root.GetArrayLength() > 0 && root[0].ValueKind == JsonValueKind.Object && root[0].TryGetProperty("eventSource", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() == "aws:sqs",
                JsonValueKind.Object => root.TryGetProperty("Records", out var r) && r.ValueKind == JsonValueKind.Array && !root.TryGetProperty("detail-type", out _),
                _ => false,
            };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static DlqEnrichment Enrich(SqsRecord record, int index = 0)
    {
        var field = $"Records[{index}]";
        var arn = record.EventSourceArn ?? throw new InvalidEventException($"{field}.eventSourceARN", $"{field}.eventSourceARN: required field is missing");
        var parts = arn.Split(':');
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "sqs")
        {
            throw new InvalidEventException($"{field}.eventSourceARN", $"{field}.eventSourceARN: '{arn}' is not an SQS queue ARN");
        }

        var messageId = record.MessageId ?? throw new InvalidEventException($"{field}.messageId", $"{field}.messageId: required field is missing");
        var body = Encoding.UTF8.GetBytes(record.Body ?? string.Empty);
        var inline = body.Length <= InlineBodyLimit;
        var sha = Convert.ToHexStringLower(SHA256.HashData(body));
        var text = record.Body ?? string.Empty;
        var arrival = new DlqArrival
        {
            QueueArn = arn,
            QueueName = parts[5],
            Account = parts[4],
            Region = parts[3],
            MessageId = messageId,
            SentTime = long.TryParse(record.Attributes?.SentTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
            ReceiveCount = int.TryParse(record.Attributes?.ApproximateReceiveCount, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null,
            BodySize = body.Length,
            BodySha256 = sha,
            Body = inline ? text : null,
            BodyPreview = text.Length <= PreviewChars ? text : text[..PreviewChars],
            BodyRef = inline ? null : "dlqbody/" + sha,
            Failure = FailureOf(record),
        };
        return new DlqEnrichment(arrival, inline ? null : body);
    }

    /// <summary>The producer's failure reason: Lambda async DLQs and EventBridge rule DLQs set attributes; SNS and Step Functions leave only the body.</summary>
    public static DlqFailure FailureOf(SqsRecord record)
    {
        string? Attr(string name) => record.MessageAttributes is { } m && m.TryGetValue(name, out var a) ? a.StringValue : null;
        if (Attr("ErrorCode") is not null || Attr("RequestID") is not null)
        {
            return new DlqFailure { Kind = "lambda", RequestId = Attr("RequestID"), ErrorCode = Attr("ErrorCode"), ErrorMessage = Attr("ErrorMessage") };
        }

        if (Attr("RULE_ARN") is not null || Attr("ERROR_CODE") is not null)
        {
            return new DlqFailure { Kind = "eventbridge", ErrorCode = Attr("ERROR_CODE"), ErrorMessage = Attr("ERROR_MESSAGE"), RuleArn = Attr("RULE_ARN"), TargetArn = Attr("TARGET_ARN") };
        }

        var kind = BodyKind(record.Body);
        return new DlqFailure { Kind = kind };
    }

    /// <summary>An SNS subscription DLQ holds the SNS envelope; a Step Functions task's message names its execution.</summary>
    private static string BodyKind(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return "unknown";
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("Type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "Notification" && root.TryGetProperty("TopicArn", out _))
            {
                return "sns";
            }

            return root.TryGetProperty("ExecutionArn", out _) || root.TryGetProperty("executionArn", out _) ? "stepfunctions" : "unknown";
        }
        catch (JsonException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// The EventBridge event a Pipe would put on the ops bus for this arrival (opsctl local has no Pipe). The id is
    /// derived from queue and message id, so a message redelivered by SQS is the same event and a duplicate.
    /// </summary>
    public static string Envelope(DlqArrival arrival, DateTimeOffset now)
    {
        var id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(arrival.QueueArn + "\n" + arrival.MessageId))[..16]);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("version", "0");
            w.WriteString("id", id.ToString());
            w.WriteString("detail-type", DetailType);
            w.WriteString("source", Source);
            w.WriteString("account", arrival.Account);
            w.WriteString("time", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteString("region", arrival.Region);
            w.WriteStartArray("resources");
            w.WriteStringValue(arrival.QueueArn);
            w.WriteEndArray();
            w.WritePropertyName("detail");
            JsonSerializer.Serialize(w, arrival, DlqJsonContext.Default.DlqArrival);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Splits a parked body into chunks under DynamoDB's 400 KB item limit.</summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Chunks(ReadOnlyMemory<byte> body, int chunkSize = 350 * 1024)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        for (var offset = 0; offset < body.Length; offset += chunkSize)
        {
            chunks.Add(body.Slice(offset, Math.Min(chunkSize, body.Length - offset)));
        }

        return chunks;
    }
}
