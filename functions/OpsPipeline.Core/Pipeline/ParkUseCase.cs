using System.Text.Json;
using System.Text.Json.Nodes;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Masking;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Core.Pipeline;

/// <summary>What Decide returns when asked to park a failed input: the message body for the parked-event queue, and the error it names.</summary>
public sealed record ParkResult(string Body, string Error, string Cause);

/// <summary>
/// Park: from the state machine's Catch, {"parkedEvent": INPUT, "error": {Error, Cause}} in, and the text the
/// parked-event queue accepts out (<see cref="ParkedCopy"/>), whatever the input holds; credentials pasted into alarm
/// text stay out of the parking queue too.
/// </summary>
public sealed class ParkUseCase(IMetrics metrics)
{
    /// <summary>The state machine's request to park an input that failed (exactly {"parkedEvent", "error"}), or null.</summary>
    public ParkResult? TryPark(ReadOnlySpan<byte> bytes) => Request(bytes) is { } request ? Park(request) : null;

    /// <summary>
    /// Written by hand with only quotes and backslashes escaped: the body is ASCII already, and the default encoder's
    /// \u0022 for every quote would make it up to six times larger in the state than it is.
    /// </summary>
    public static void Write(Stream output, ParkResult result)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("body", result.Body);
        w.WriteString("error", result.Error);
        w.WriteString("cause", result.Cause);
        w.WriteEndObject();
    }

    private static JsonObject? Request(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOf("\"parkedEvent\""u8) < 0)
        {
            return null;
        }

        try
        {
            // The input may hold what a validating reader refuses (lone surrogates): park it as text, not at all.
            var text = ParkedCopy.NeutralizeLoneSurrogates(System.Text.Encoding.UTF8.GetString(bytes));
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 1024 }) is JsonObject { Count: 2 } o && o.ContainsKey("parkedEvent") && o["error"] is JsonObject ? o : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private ParkResult Park(JsonObject request)
    {
        var error = Ascii((string?)request["error"]?["Error"] ?? "Unknown", 256);
        var cause = Ascii((string?)request["error"]?["Cause"] ?? string.Empty, ParkedCopy.MaxCauseChars);
        metrics.Count("EventsParked", ("Error", error));
        return new ParkResult(ParkedCopy.Render(request["parkedEvent"], error, cause, text => CredentialMask.Mask(text) ?? string.Empty), error, cause);
    }

    /// <summary>Printable ASCII of at most <paramref name="max"/> characters (others as '?'): what the state carries beside the copy.</summary>
    private static string Ascii(string text, int max) =>
        new([.. text.Take(max).Select(c => c is >= ' ' and <= '~' ? c : '?')]);
}
