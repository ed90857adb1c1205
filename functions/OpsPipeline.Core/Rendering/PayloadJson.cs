using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OpsPipeline.Core.Rendering;

/// <summary>Writes a payload with <see cref="Utf8JsonWriter"/> (no reflection) and hands back its UTF-8 text.</summary>
internal static class PayloadJson
{
    // Relaxed escaping keeps '&', '<', '>' and accents readable in bodies; nothing here is ever embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The written JSON as UTF-8 (its length is what the channel's byte limits measure); the thread's reused buffer (<see cref="ReusedBuffers"/>) holds it while it is written.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = ReusedBuffers.TakeBytes();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                write(writer);
            }

            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ReusedBuffers.Return(buffer);
        }
    }

    /// <summary>A JSON string value (the SNS message is a string, not an object).</summary>
    public static byte[] String(string value) => Write(w => w.WriteStringValue(value));

    /// <summary>Writes <paramref name="name"/> as a JSON object of the given string pairs, in their order.</summary>
    public static void WriteStringMap(this Utf8JsonWriter writer, string name, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        writer.WritePropertyName(name);
        writer.WriteStartObject();
        foreach (var (key, value) in pairs)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes <paramref name="value"/> only when it has content: absent beats empty for optional fields.</summary>
    public static void WriteIfPresent(this Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }
}
