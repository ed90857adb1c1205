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
    /// <summary>
    /// Bodies up to 64 KiB travel inline: with the envelope and Decide's output the execution state stays far under
    /// Step Functions' 256 KiB. Larger ones (SQS takes 1 MiB) are parked in the table and referenced.
    /// </summary>
    public const int InlineBodyLimit = 64 * 1024;

    public const int PreviewChars = 512;

    /// <summary>The text for a queue, account or region an unreadable record's ARN does not give.</summary>
    public const string Unknown = "unknown";

    /// <summary>SQS has existed since 2006: a SentTimestamp before 2000 is not a send time but a wrong value.</summary>
    public static readonly DateTimeOffset EarliestSentTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far a SentTimestamp may run ahead of our clock (clock skew) before it is a wrong value.</summary>
    public static readonly TimeSpan SentTimeSkew = TimeSpan.FromMinutes(15);

    /// <summary>Untrusted values quoted in an unreadable record's reason are cut here: the reason is one line of a page.</summary>
    private const int QuotedValueChars = 100;

    /// <summary>
    /// Reads a Pipes batch (a JSON array of records) or an SQS → Lambda event ({"Records": [...]}). Each record keeps its
    /// JSON as received (<see cref="SqsRecord.Raw"/>); a record that is valid JSON but cannot be bound (a field of the
    /// wrong type, a duplicated key, not an object) is returned with its <see cref="SqsRecord.ReadProblem"/> instead of
    /// failing the batch. Only a document that is not JSON, or not a list of records at all, is rejected.
    /// </summary>
    public static IReadOnlyList<SqsRecord> ParseRecords(ReadOnlySpan<byte> utf8Json)
    {
        // One copy of the batch; every record's Raw is a slice of it.
        ReadOnlyMemory<byte> batch = utf8Json.TrimStart(" \t\r\n"u8).ToArray();
        try
        {
            var reader = new Utf8JsonReader(batch.Span);
            if (!reader.Read())
            {
                throw new InvalidEventException("(root)", "(root): not a valid SQS record batch (no JSON value)");
            }

            List<SqsRecord>? records;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                records = ReadRecords(batch, ref reader);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                records = ReadRecordsProperty(batch, ref reader);
            }
            else
            {
                throw new InvalidEventException("(root)", $"(root): not a valid SQS record batch (a JSON array or object expected, found {reader.TokenType})");
            }

            if (reader.Read())
            {
                throw new InvalidEventException("(root)", "(root): not a valid SQS record batch (more than one JSON value)");
            }

            return records ?? throw new InvalidEventException("Records", "Records: required field is missing (expected a JSON array of SQS records or {\"Records\": [...]})");
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) ? "(root)" : e.Path.TrimStart('$', '.');
            throw new InvalidEventException(path, $"{path}: not a valid SQS record batch ({e.Message})", e);
        }
    }

    /// <summary>The "Records" array of an SQS → Lambda event; other properties are skipped, a second "Records" is refused.</summary>
    private static List<SqsRecord>? ReadRecordsProperty(ReadOnlyMemory<byte> batch, ref Utf8JsonReader reader)
    {
        List<SqsRecord>? records = null;
        var seen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRecords = reader.ValueTextEquals("Records"u8);
            reader.Read();
            if (!isRecords)
            {
                reader.Skip();
                continue;
            }

            if (seen)
            {
                throw new InvalidEventException("Records", "Records: not a valid SQS record batch (duplicated property)");
            }

            seen = true;
            records = reader.TokenType switch
            {
                JsonTokenType.StartArray => ReadRecords(batch, ref reader),
                JsonTokenType.Null => null,
                _ => throw new InvalidEventException("Records", $"Records: not a valid SQS record batch (a JSON array expected, found {reader.TokenType})"),
            };
        }

        return records;
    }

    /// <summary>Binds each element on its own, from its own bytes, so one element that does not bind is one unreadable record.</summary>
    private static List<SqsRecord> ReadRecords(ReadOnlyMemory<byte> batch, ref Utf8JsonReader reader)
    {
        var records = new List<SqsRecord>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var field = $"Records[{records.Count}]";
            var start = (int)reader.TokenStartIndex;
            var isObject = reader.TokenType == JsonTokenType.StartObject;
            var kind = reader.TokenType;
            reader.Skip();
            var raw = batch[start..(int)reader.BytesConsumed];
            if (!isObject)
            {
                records.Add(new SqsRecord { Raw = raw, ReadProblem = $"{field}: not an SQS record (a JSON object expected, found {kind})" });
                continue;
            }

            try
            {
                var record = JsonSerializer.Deserialize(raw.Span, DlqJsonContext.Default.SqsRecord)!;
                records.Add(record with { Raw = raw });
            }
            catch (JsonException e)
            {
                var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? field : field + "." + e.Path.TrimStart('$', '.');
                records.Add(new SqsRecord { Raw = raw, ReadProblem = $"{path}: not readable ({e.Message})" });
            }
        }

        return records;
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

    /// <summary>
    /// One record as a DLQ arrival. Never throws for what a record holds: a record without eventSourceARN or messageId,
    /// with a non-SQS ARN, with a SentTimestamp that is not a time between <see cref="EarliestSentTime"/> and
    /// <paramref name="now"/> + <see cref="SentTimeSkew"/>, or that did not bind (<see cref="SqsRecord.ReadProblem"/>)
    /// becomes an arrival marked <see cref="DlqArrival.Unreadable"/>: in AWS a throw here fails the Pipe's whole batch,
    /// which is retried until the queue's retention drops every record in it.
    /// </summary>
    /// <param name="record">One record of the batch, as <see cref="ParseRecords"/> returns it.</param>
    /// <param name="now">Our clock (Core never reads it), the upper bound of a believable SentTimestamp.</param>
    /// <param name="index">The record's place in its batch, for the field names of an unreadable record.</param>
    public static DlqEnrichment Enrich(SqsRecord record, DateTimeOffset now, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(record);
        var field = $"Records[{index}]";
        List<string>? problems = record.ReadProblem is { } read ? [read] : null;
        var arn = record.EventSourceArn;
        var parts = arn?.Split(':');
        var queue = parts is { Length: 6 } && parts[0] == "arn" && parts[2] == "sqs" ? parts : null;
        if (record.ReadProblem is null && queue is null)
        {
            (problems ??= []).Add(arn is null ? $"{field}.eventSourceARN: required field is missing" : $"{field}.eventSourceARN: {Quoted(arn)} is not an SQS queue ARN");
        }

        if (record.ReadProblem is null && record.MessageId is null)
        {
            (problems ??= []).Add($"{field}.messageId: required field is missing");
        }

        var sent = SentTimeOf(record.Attributes?.SentTimestamp, now, out var sentTime);
        if (sent is not null)
        {
            (problems ??= []).Add($"{field}.attributes.SentTimestamp: {sent}");
        }

        // A readable record's body is the message; an unreadable one's is the whole record as received, so the
        // arrival (archived on the ops bus after the Pipe deletes the record) still holds everything it had.
        var unreadable = problems is null ? null : string.Join("; ", problems);
        var body = unreadable is null ? Encoding.UTF8.GetBytes(record.Body ?? string.Empty) : RawBytes(record);
        var text = unreadable is null ? record.Body ?? string.Empty : Encoding.UTF8.GetString(body);
        var inline = body.Length <= InlineBodyLimit;
        var sha = Convert.ToHexStringLower(SHA256.HashData(body));
        var arrival = new DlqArrival
        {
            QueueArn = queue is null ? Unknown : arn!,
            QueueName = queue?[5] ?? Unknown,
            Account = queue?[4] ?? Unknown,
            Region = queue?[3] ?? Unknown,
            MessageId = record.MessageId ?? $"{Unknown}-{index.ToString(CultureInfo.InvariantCulture)}",
            SentTime = sentTime,
            ReceiveCount = int.TryParse(record.Attributes?.ApproximateReceiveCount, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null,
            BodySize = body.Length,
            BodySha256 = sha,
            Body = inline ? text : null,
            BodyPreview = text.Length <= PreviewChars ? text : text[..PreviewChars],
            BodyRef = inline ? null : "dlqbody/" + sha,
            Failure = FailureOf(record),
            Unreadable = unreadable,
        };
        return new DlqEnrichment(arrival, inline ? null : body);
    }

    /// <summary>
    /// Null when <paramref name="sentTimestamp"/> is absent (SentTime unknown) or a believable time (then in
    /// <paramref name="sentTime"/>); otherwise what is wrong with it. 99999999999999999 is a valid long that
    /// <see cref="DateTimeOffset.FromUnixTimeMilliseconds"/> refuses, and a 1970 or 2099 time would mislead the page.
    /// </summary>
    private static string? SentTimeOf(string? sentTimestamp, DateTimeOffset now, out DateTimeOffset? sentTime)
    {
        sentTime = null;
        if (sentTimestamp is null)
        {
            return null;
        }

        var latest = now + SentTimeSkew;
        if (long.TryParse(sentTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            && ms >= EarliestSentTime.ToUnixTimeMilliseconds() && ms <= latest.ToUnixTimeMilliseconds())
        {
            sentTime = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return null;
        }

        var shown = sentTimestamp.Length > 0 && sentTimestamp.Length <= QuotedValueChars && sentTimestamp.All(char.IsAsciiDigit) ? sentTimestamp : Quoted(sentTimestamp);
        return $"{shown} is not a time between 2000-01-01 and 15 minutes after now";
    }

    /// <summary>An untrusted value in single quotes, cut to <see cref="QuotedValueChars"/> characters.</summary>
    private static string Quoted(string value) =>
        value.Length <= QuotedValueChars ? $"'{value}'" : $"'{value[..QuotedValueChars]}…'";

    /// <summary>The record's JSON as received; for a record built in code (no Raw), its JSON as we would write it.</summary>
    private static byte[] RawBytes(SqsRecord record) =>
        record.Raw.IsEmpty ? JsonSerializer.SerializeToUtf8Bytes(record, DlqJsonContext.Default.SqsRecord) : record.Raw.ToArray();

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
        // An unreadable record's queue and message id may be placeholders shared by many records: its hash tells them apart.
        var identity = arrival.QueueArn + "\n" + arrival.MessageId + (arrival.Unreadable is null ? string.Empty : "\n" + arrival.BodySha256);
        var id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(identity))[..16]);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("version", "0");
            w.WriteString("id", id.ToString());
            w.WriteString("detail-type", DlqEventTypes.MessageArrived);
            w.WriteString("source", DlqEventTypes.Source);
            w.WriteString("account", arrival.Account);
            w.WriteString("time", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteString("region", arrival.Region);
            w.WriteStartArray("resources");
            w.WriteStringValue(arrival.QueueArn);
            w.WriteEndArray();
            w.WritePropertyName("detail");
            JsonSerializer.Serialize(w, arrival, DlqArrivalJsonContext.Default.DlqArrival);
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
