using System.Text;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Sns;

/// <summary>The SNS subject and plain-text message (email, SMS fan-out) for one alert.</summary>
internal static class SnsMessage
{
    /// <summary>"[ALARM] checkout-api-5xx (us-east-1)": printable ASCII, at most 100 characters.</summary>
    public static string Subject(Alert alert, string action, bool drill)
    {
        var subject = $"{(drill ? "[DRILL] " : string.Empty)}{AlertPresentation.SnsTag(alert, action)} {alert.Name} ({alert.Region})";
        return FitSubject(subject);
    }

    /// <summary>Any subject text made what SNS accepts: printable ASCII, at most 100 characters.</summary>
    internal static string FitSubject(string subject) =>
        Truncation.ToChars(UntrustedText.PrintableAscii(UntrustedText.Clean(subject)), SnsLimits.SubjectChars);

    /// <summary>One fact per line; free text (reason, description) may span lines. At most 256 KB of UTF-8.</summary>
    public static string Text(Alert alert, AlertPresentation presentation, bool drill)
    {
        var sb = ReusedBuffers.TakeText();
        if (drill)
        {
            AppendDrillNotice(sb, alert.ReplayName);
        }

        sb.Append(presentation.Headline).Append(": ").Append(UntrustedText.OneLine(alert.Summary)).Append('\n');
        sb.Append("Alarm: ").Append(UntrustedText.OneLine(alert.Name)).Append('\n');
        sb.Append("State: ").Append(AlertPresentation.StateText(alert)).Append('\n');
        sb.Append("Severity: ").Append(UntrustedText.OneLine(alert.Severity)).Append('\n');
        sb.Append("Account/Region: ").Append(UntrustedText.OneLine(alert.Account)).Append(" / ").Append(UntrustedText.OneLine(alert.Region)).Append('\n');
        sb.Append("Since: ").Append(AlertPresentation.Timestamp(alert.StateTimestamp)).Append('\n');
        AppendFreeText(sb, "Reason", alert.Reason);
        AppendFreeText(sb, "Description", alert.Description);

        var links = alert.Links.Select(l => (Text: UntrustedText.OneLine(l.Text), Url: UntrustedText.WebUrl(l.Href)))
            .Where(l => l.Url is not null)
            .ToList();
        if (links.Count > 0)
        {
            sb.Append("Links:\n");
            foreach (var (text, url) in links)
            {
                sb.Append("- ").Append(text.Length > 0 ? text + ": " : string.Empty).Append(url).Append('\n');
            }
        }

        if (alert.Labels.Count > 0)
        {
            sb.Append("Labels:\n");
            foreach (var (key, value) in AlertPresentation.OrderedLabels(alert))
            {
                sb.Append("- ").Append(UntrustedText.OneLine(key)).Append(": ")
                    .Append(Truncation.ToChars(UntrustedText.OneLine(value), ChannelLimits.FreeTextChars)).Append('\n');
            }
        }

        sb.Append("Alert key: ").Append(UntrustedText.OneLine(alert.Key)).Append('\n');
        var message = sb.ToString();
        ReusedBuffers.Return(sb);
        return Truncation.ToUtf8Bytes(message, SnsLimits.MessageBytes);
    }

    /// <summary>The first line of every drill message, so nobody mistakes a rehearsal for an incident.</summary>
    internal static void AppendDrillNotice(StringBuilder sb, string? replayName)
    {
        var replay = UntrustedText.OneLine(replayName);
        sb.Append("DRILL").Append(replay.Length > 0 ? $" (replay {replay})" : string.Empty)
            .Append(": a rehearsal, not a live incident. No action needed.\n");
    }

    private static void AppendFreeText(StringBuilder sb, string label, string? text)
    {
        var clean = UntrustedText.Clean(text).Trim();
        if (clean.Length > 0)
        {
            sb.Append(label).Append(": ").Append(Truncation.ToChars(clean, ChannelLimits.FreeTextChars)).Append('\n');
        }
    }
}
