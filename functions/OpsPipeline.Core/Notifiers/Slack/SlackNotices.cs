using System.Text.Json;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Slack;

/// <summary>The pipeline's own notices (budget, flood guard) as Slack messages.</summary>
internal static class SlackNotices
{
    /// <summary>A one-section Slack message (the text, escaped and cut to a section's limit, behind an emoji): the pipeline's own notices.</summary>
    public static void Write(Utf8JsonWriter w, string emoji, string text)
    {
        var escaped = Truncation.ToChars(UntrustedText.EscapeSlack(UntrustedText.Clean(text)), SlackLimits.SectionChars);
        w.WriteStartObject();
        w.WriteString("text", escaped);
        w.WriteStartArray("blocks");
        w.WriteStartObject();
        w.WriteString("type", "section");
        w.WriteStartObject("text");
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", emoji + " " + escaped);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
