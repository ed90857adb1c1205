using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>
/// Compares a delivery with Golden/NAME.json, read from the source tree (no copy-to-output needed).
/// Set OPS_UPDATE_GOLDEN=1 to rewrite the files after an intended change, then review the diff.
/// </summary>
internal static class GoldenFiles
{
    public static void AssertMatches(string name, Delivery delivery)
    {
        var actual = ToIndentedJson(delivery);
        var path = Path.Combine(GoldenDirectory(), name + ".json");
        if (Environment.GetEnvironmentVariable("OPS_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Golden file missing: {path} (run with OPS_UPDATE_GOLDEN=1 to create it)");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    /// <summary>The delivery as the local run prints it (camelCase, contract order), indented so a diff is readable.</summary>
    public static string ToIndentedJson(Delivery delivery)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions
        {
            Indented = true,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var w = new Utf8JsonWriter(buffer, options))
        {
            w.WriteStartObject();
            w.WriteString("receiver", delivery.Receiver);
            w.WriteString("channel", delivery.Channel);
            w.WriteString("action", delivery.Action);
            w.WriteString("alertKey", delivery.AlertKey);
            w.WriteString("dedupKey", delivery.DedupKey);
            w.WriteBoolean("drill", delivery.Drill);
            w.WritePropertyName("target");
            w.WriteStartObject();
            if (delivery.Target.Parameter is { } parameter)
            {
                w.WriteString("parameter", parameter);
            }

            if (delivery.Target.TopicArn is { } topicArn)
            {
                w.WriteString("topicArn", topicArn);
            }

            w.WriteEndObject();
            if (delivery.Subject is { } subject)
            {
                w.WriteString("subject", subject);
            }

            w.WritePropertyName("payload");
            delivery.Payload.WriteTo(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static string GoldenDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "Golden");
}
