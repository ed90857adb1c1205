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

    /// <summary>The written JSON as UTF-8 (its length is what the channel's byte limits measure).</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        if (t_inUse)
        {
            // Called from inside another payload's writer: that one owns the thread's buffer.
            var own = new ArrayBufferWriter<byte>(1024);
            using (var ownWriter = new Utf8JsonWriter(own, WriterOptions))
            {
                write(ownWriter);
            }

            return own.WrittenSpan.ToArray();
        }

        // One buffer and writer per thread, reused: the payload is a copy of what was written.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        t_inUse = true;
        try
        {
            write(writer);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            t_inUse = false;
            writer.Reset(buffer);
            if (buffer.Capacity > MaxKeptBuffer)
            {
                t_buffer = null; // one very large payload: do not keep its buffer for the thread's life
                t_writer = null;
            }
        }
    }

    private const int MaxKeptBuffer = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static bool t_inUse;

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
