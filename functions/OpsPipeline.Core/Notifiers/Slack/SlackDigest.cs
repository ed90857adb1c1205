using System.Text.Json;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Slack;

/// <summary>
/// The Slack incoming-webhook body (Block Kit) for a group of alerts: its parts (new, still firing, resolved), each a
/// title then one section per listed alert; the rest of the group still firing in one section, by name.
/// </summary>
internal static class SlackDigest
{
    private const string UnknownEmoji = ":grey_question:";

    public static byte[] Render(AlertDigest digest, bool drill)
    {
        var drillTag = drill ? "[DRILL] " : string.Empty;
        var group = Escape(digest.GroupText);
        var headline = $"{drillTag}{Emoji(digest)} {digest.Tag}" + (group.Length > 0 ? $" {group}" : string.Empty);

        var fallback = Truncation.EscapedToChars(
            $"{headline}: {digest.CountText}, worst severity {digest.WorstSeverity}",
            SlackLimits.FallbackChars);

        var blocks = new SlackBlocks();
        if (drill)
        {
            blocks.Context(SlackMessage.DrillNotice(digest.ReplayName));
        }

        blocks.Header(headline);
        List<string> fields = [$"*Alerts*\n{digest.CountText}", $"*Worst severity*\n{digest.WorstSeverity}"];
        if (group.Length > 0)
        {
            fields.Add($"*Group*\n{group}");
        }

        blocks.Fields(fields);
        foreach (var part in AlertDigest.PartsInOrder.Where(p => digest.CountOf(p) > 0))
        {
            blocks.Section($"*{digest.PartTitle(part)}*");
            foreach (var entry in digest.ListedIn(part))
            {
                blocks.Section(EntryText(entry));
            }

            if (part == DigestPart.StillFiring && digest.Others.Named.Count > 0)
            {
                // The rest of the group by name, as its record keeps them: their own notifications said the rest.
                blocks.Section(digest.OthersText(Escape, SlackLimits.SectionChars));
            }
            else if (digest.MoreIn(part) is { Length: > 0 } more)
            {
                blocks.Context(more);
            }
        }

        // The key names the group for silences and for finding its state; it is an identifier, so shown whole.
        blocks.Context($"Group key: {Escape(UntrustedText.OneLine(digest.GroupKey))}");

        return PayloadJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("text", fallback);
            blocks.WriteTo(w);
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// "*&lt;url|name&gt;* · ALARM · critical" then the summary on its own line. The capped name, state and link
    /// come first and stay below the section limit, so a cut only ever shortens the summary.
    /// </summary>
    private static string EntryText(DigestEntry entry)
    {
        var name = Escape(entry.Name);
        var title = entry.Link is { } url && UntrustedText.SlackUrl(url).Length <= AlertDigest.LinkChars ? SlackMessage.Link(url, name) : name;
        var line = $"*{title}* · {Escape(entry.State)} · {entry.Severity}";
        return entry.Summary.Length > 0 ? $"{line}\n{Escape(entry.Summary)}" : line;
    }

    private static string Emoji(AlertDigest digest) =>
        digest.Firing > 0 ? AlertPresentation.For(DeliveryActions.Trigger).SlackEmoji
        : digest.Unknown == 0 ? AlertPresentation.For(DeliveryActions.Resolve).SlackEmoji
        : UnknownEmoji;

    private static string Escape(string cleaned) => UntrustedText.EscapeSlack(cleaned);
}
