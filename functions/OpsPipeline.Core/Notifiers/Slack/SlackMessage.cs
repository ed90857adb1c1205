using System.Text;
using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Slack;

/// <summary>The Slack incoming-webhook body (Block Kit) for one alert.</summary>
internal static class SlackMessage
{
    private const string LinkSeparator = " · ";

    public static byte[] Render(Alert alert, AlertPresentation presentation, bool drill)
    {
        var drillTag = drill ? "[DRILL] " : string.Empty;
        var name = Escape(UntrustedText.OneLine(alert.Name));
        var severity = Escape(UntrustedText.OneLine(alert.Severity));
        var headline = $"{drillTag}{presentation.SlackEmoji} {presentation.Headline}";

        var fallback = Truncation.EscapedToChars(
            $"{headline} [{severity}] {Escape(UntrustedText.OneLine(alert.Summary))}",
            SlackLimits.FallbackChars);

        var blocks = new SlackBlocks();
        if (drill)
        {
            blocks.Context(DrillNotice(alert.ReplayName));
        }

        blocks.Header($"{headline}: {name}");
        blocks.Section(SummaryText(alert));
        blocks.Fields(
        [
            $"*Severity*\n{severity}",
            $"*State*\n{Escape(AlertPresentation.StateText(alert))}",
            $"*Account / Region*\n{Escape(UntrustedText.OneLine(alert.Account))} / {Escape(UntrustedText.OneLine(alert.Region))}",
            $"*Alarm*\n{name}",
        ]);

        var reason = UntrustedText.Clean(alert.Reason);
        if (reason.Length > 0)
        {
            blocks.Context($"*Reason:* {Escape(reason)}");
        }

        var links = LinksText(alert.Links);
        if (links.Length > 0)
        {
            blocks.Section(links);
        }

        return PayloadJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("text", fallback);
            blocks.WriteTo(w);
            w.WriteEndObject();
        });
    }

    /// <summary>The first block of every drill message, so nobody mistakes a rehearsal for an incident.</summary>
    internal static string DrillNotice(string? replayName)
    {
        var replay = UntrustedText.OneLine(replayName);
        var from = replay.Length > 0 ? $" (replay {Escape(replay)})" : string.Empty;
        return $":test_tube: *DRILL*{from}: a rehearsal, not a live incident. No action needed.";
    }

    private static string SummaryText(Alert alert)
    {
        var summary = Escape(UntrustedText.Clean(alert.Summary));
        var description = UntrustedText.Clean(alert.Description);
        return description.Length > 0 ? $"{summary}\n{Escape(description)}" : summary;
    }

    /// <summary>
    /// mrkdwn links, whole links only: a cut inside <c>&lt;url|text&gt;</c> would leave a broken link, so links
    /// that do not fit in one section are dropped and the marker says so.
    /// </summary>
    private static string LinksText(IReadOnlyList<AlertLink> links)
    {
        var budget = SlackLimits.SectionChars - Truncation.Marker.Length - LinkSeparator.Length;
        var sb = new StringBuilder();
        foreach (var link in links)
        {
            var url = UntrustedText.WebUrl(link.Href);
            if (url is null)
            {
                continue; // not a web link: nothing a reader can safely click
            }

            var text = Escape(UntrustedText.OneLine(link.Text));
            var piece = Link(url, text);
            var separator = sb.Length > 0 ? LinkSeparator : string.Empty;
            if (sb.Length + separator.Length + piece.Length > budget)
            {
                sb.Append(separator).Append(Truncation.Marker);
                break;
            }

            sb.Append(separator).Append(piece);
        }

        return sb.ToString();
    }

    /// <summary>A mrkdwn link to <paramref name="webUrl"/> (from <see cref="UntrustedText.WebUrl"/>) showing already escaped text.</summary>
    internal static string Link(string webUrl, string escapedText) =>
        escapedText.Length > 0 ? $"<{UntrustedText.SlackUrl(webUrl)}|{escapedText}>" : $"<{UntrustedText.SlackUrl(webUrl)}>";

    private static string Escape(string cleaned) => UntrustedText.EscapeSlack(cleaned);
}
