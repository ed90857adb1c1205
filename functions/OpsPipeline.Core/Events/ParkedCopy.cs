using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpsPipeline.Core.Events;

/// <summary>
/// The message that parks an input the pipeline could not decide: the input itself and the error, as text any
/// queue accepts. Whatever the input holds (lone surrogates, control characters, invalid UTF-8), the copy is
/// ASCII JSON with those characters escaped, never refused by SQS; an input too large to park whole is parked
/// as its head, size and SHA-256.
/// </summary>
public static class ParkedCopy
{
    /// <summary>
    /// The parked copy's size as a JSON string (its quotes and backslashes escaped once more), at most: it travels as
    /// one inside the state machine's state (256 KiB for the whole state) before it becomes the SQS message.
    /// </summary>
    public const int MaxBytes = 100 * 1024;

    /// <summary>The most of the error's cause that is kept.</summary>
    public const int MaxCauseChars = 2048;

    /// <summary>
    /// JSON text with every escape of a lone surrogate (\ud800 with no low half after it, or a low half alone) turned
    /// into the literal text "\ud800" (its backslash escaped), which any JSON reader takes. Escapes of whole pairs,
    /// and everything else, are kept as they are. A JSON reader that validates UTF-16 refuses the original.
    /// </summary>
    public static string NeutralizeLoneSurrogates(string json)
    {
        if (!json.Contains("\\u", StringComparison.OrdinalIgnoreCase))
        {
            return json;
        }

        var result = new StringBuilder(json.Length + 16);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (!inString)
            {
                inString = c == '"';
                result.Append(c);
                continue;
            }

            if (c == '"')
            {
                inString = false;
                result.Append(c);
                continue;
            }

            if (c != '\\' || i + 1 >= json.Length)
            {
                result.Append(c);
                continue;
            }

            if (json[i + 1] != 'u' || Escaped(json, i) is not { } unit)
            {
                result.Append(c).Append(json[i + 1]);
                i++;
                continue;
            }

            var paired = char.IsHighSurrogate(unit) && Escaped(json, i + 6) is { } low && char.IsLowSurrogate(low);
            if (char.IsSurrogate(unit) && !paired)
            {
                result.Append('\\'); // the escape becomes text
                result.Append(json, i, 6);
                i += 5;
            }
            else
            {
                var length = paired ? 12 : 6;
                result.Append(json, i, length);
                i += length - 1;
            }
        }

        return result.ToString();
    }

    /// <summary>The UTF-16 unit of a \uXXXX escape at <paramref name="at"/>, or null if there is none.</summary>
    private static char? Escaped(string json, int at) =>
        at + 6 <= json.Length && json[at] == '\\' && json[at + 1] == 'u'
        && ushort.TryParse(json.AsSpan(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var unit)
            ? (char)unit
            : null;

    /// <summary>
    /// The index of the first character SQS refuses in a message body (it takes only #x9 | #xA | #xD | #x20 to #xD7FF |
    /// #xE000 to #xFFFD | #x10000 to #x10FFFF: so no lone surrogate, no other control character), or null.
    /// </summary>
    public static int? FirstCharacterSqsRefuses(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (c is not ('\t' or '\n' or '\r') && (c < ' ' || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF'))
            {
                return i;
            }
        }

        return null;
    }

    private static readonly JsonSerializerOptions Ascii = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default };

    /// <summary>
    /// {"event": INPUT, "error": {"Error": NAME, "Cause": CAUSE}} as escaped ASCII JSON text. INPUT is the input's
    /// JSON when it is JSON, otherwise its text as a string.
    /// </summary>
    public static string Render(JsonNode? input, string error, string cause, Func<string, string>? mask = null)
    {
        mask ??= static s => s;
        var errorNode = new JsonObject { ["Error"] = error, ["Cause"] = mask(cause.Length <= MaxCauseChars ? cause : cause[..MaxCauseChars]) };
        var text = new JsonObject { ["event"] = MaskStrings(input, mask), ["error"] = errorNode.DeepClone() }.ToJsonString(Ascii);
        if (SizeAsJsonString(text) <= MaxBytes)
        {
            return text;
        }

        // Too large to park whole: its size, hash and as much of its head as fits.
        var whole = input?.ToJsonString(Ascii) ?? "null";
        var bytes = Encoding.UTF8.GetBytes(whole);
        for (var head = Math.Min(whole.Length, MaxBytes / 2); ; head /= 2)
        {
            text = new JsonObject
            {
                ["event"] = new JsonObject
                {
                    ["truncated"] = true,
                    ["bytes"] = bytes.Length,
                    ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
                    ["head"] = mask(whole[..head]),
                },
                ["error"] = errorNode.DeepClone(),
            }.ToJsonString(Ascii);
            if (SizeAsJsonString(text) <= MaxBytes || head == 0)
            {
                return text;
            }
        }
    }

    /// <summary>Bytes of ASCII <paramref name="text"/> written as a JSON string value: a quote or backslash takes two.</summary>
    public static int SizeAsJsonString(string text) => text.Length + text.Count(c => c is '"' or '\\');

    /// <summary>A copy of <paramref name="node"/> with <paramref name="mask"/> applied to every string value.</summary>
    private static JsonNode? MaskStrings(JsonNode? node, Func<string, string> mask) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, MaskStrings(kv.Value, mask)))),
        JsonArray a => new JsonArray([.. a.Select(item => MaskStrings(item, mask))]),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(mask(s)),
        _ => node?.DeepClone(),
    };
}
