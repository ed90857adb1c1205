using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpsCtl.Local;

/// <summary>One input to a local run: the raw text of an event and where it came from.</summary>
public sealed record EventInput(string Origin, string Json, bool IsSqsRecord = false)
{
    /// <summary>Set when opsctl itself rejects the input before the pipeline (e.g. invalid UTF-8): the reason, naming where.</summary>
    public string? Rejection { get; init; }

    /// <summary>The event's own time (EventBridge `time`; SQS records: SentTimestamp), used as "now" by --clock event; null if it has none.</summary>
    public DateTimeOffset? Time()
    {
        try
        {
            if (IsSqsRecord)
            {
                return long.TryParse((string?)JsonNode.Parse(Json)?["attributes"]?["SentTimestamp"], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                    ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                    : null;
            }

            var t = (string?)JsonNode.Parse(Json)?["time"];
            return t is not null && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>Reads the PATHs of `opsctl local`: a JSON file (one event or an array), a .jsonl file, or a folder (files in name order).</summary>
public static class EventInputs
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static (string Text, int? InvalidAt) DecodeStrict(byte[] bytes)
    {
        try
        {
            return (StrictUtf8.GetString(bytes), null);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            return (string.Empty, e.Index);
        }
    }

    public static IReadOnlyList<EventInput> Read(IEnumerable<string> paths)
    {
        var inputs = new List<EventInput>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path)
                    .Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    inputs.AddRange(ReadFile(file));
                }
            }
            else if (File.Exists(path))
            {
                inputs.AddRange(ReadFile(path));
            }
            else
            {
                throw new FileNotFoundException($"no such file or folder: {path}", path);
            }
        }

        return inputs;
    }

    /// <summary>The JSON reader's message with its position counted from 1, as editors show it ("line 3, column 7").</summary>
    private static string NotJson(JsonException e)
    {
        var message = e.Message;
        var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (at >= 0)
        {
            message = message[..at];
        }

        return e.LineNumber is { } line && e.BytePositionInLine is { } column
            ? $"{message.TrimEnd('.')} at line {line + 1}, column {column + 1}"
            : message;
    }

    private static IEnumerable<EventInput> ReadFile(string file)
    {
        var name = Path.GetFileName(file);
        var bytes = File.ReadAllBytes(file);
        var (text, invalidAt) = DecodeStrict(bytes);
        if (invalidAt is { } at)
        {
            // Never repaired silently: rejected by opsctl, and its raw bytes still go through to be parked.
            yield return new EventInput(name, Convert.ToBase64String(bytes)) { Rejection = $"(root): not valid UTF-8 at byte {at}" };
            yield break;
        }

        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }
        if (file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            var lineNo = 0;
            foreach (var line in text.Split('\n'))
            {
                lineNo++;
                if (!string.IsNullOrWhiteSpace(line))
                {
                    yield return new EventInput($"{name}:{lineNo}", line.TrimEnd('\r'));
                }
            }

            yield break;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            // Rejected by opsctl with what is wrong (Decide would only see a string); still sent on to be parked.
            yield return new EventInput(name, text) { Rejection = "(root): empty file" };
            yield break;
        }

        JsonNode? node = null;
        string? notJson = null;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            notJson = NotJson(e);
        }

        if (notJson is not null)
        {
            // Not JSON at all: rejected with the reader's own words and where, and still parked, not lost.
            yield return new EventInput(name, text) { Rejection = "(root): not JSON: " + notJson };
            yield break;
        }

        if (node is not null && OpsPipeline.Core.Dlq.DlqEnricher.LooksLikeSqsRecords(System.Text.Encoding.UTF8.GetBytes(text)))
        {
            // SQS records (a Pipes batch or {"Records": [...]}): enriched by the DLQ enrichment code at run time.
            var records = node as JsonArray ?? node["Records"]!.AsArray();
            for (var i = 0; i < records.Count; i++)
            {
                yield return new EventInput($"{name}[Records {i}]", records[i]?.ToJsonString() ?? "null", IsSqsRecord: true);
            }

            yield break;
        }

        if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                yield return new EventInput($"{name}[{i}]", array[i]?.ToJsonString() ?? "null");
            }
        }
        else
        {
            yield return new EventInput(name, text.Trim());
        }
    }
}
