using System.Text;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Sns;

/// <summary>The SNS subject and plain-text message (email, SMS fan-out) for a group of alerts: one line per alert.</summary>
internal static class SnsDigest
{
    /// <summary>"[FIRING x5] service=checkout": printable ASCII, at most 100 characters.</summary>
    public static string Subject(AlertDigest digest, bool drill)
    {
        var group = digest.GroupText;
        return SnsMessage.FitSubject($"{(drill ? "[DRILL] " : string.Empty)}{digest.Tag}" + (group.Length > 0 ? $" {group}" : string.Empty));
    }

    /// <summary>
    /// The count and group, then "- [critical] name (ALARM): summary &lt;link&gt;" per listed alert (the angle
    /// brackets keep mail clients from taking trailing text into the link). At most 256 KB of UTF-8.
    /// </summary>
    public static string Text(AlertDigest digest, bool drill)
    {
        var sb = new StringBuilder();
        if (drill)
        {
            SnsMessage.AppendDrillNotice(sb, digest.ReplayName);
        }

        var group = digest.GroupText;
        sb.Append(digest.CountText).Append(group.Length > 0 ? $" for {group}" : string.Empty).Append('\n');
        sb.Append("Worst severity: ").Append(digest.WorstSeverity).Append('\n');
        sb.Append("Alerts:\n");
        foreach (var entry in digest.Listed)
        {
            sb.Append("- [").Append(entry.Severity).Append("] ").Append(entry.Name).Append(" (").Append(entry.State).Append(')');
            if (entry.Summary.Length > 0)
            {
                sb.Append(": ").Append(entry.Summary);
            }

            if (entry.Link is { } link)
            {
                sb.Append(" <").Append(link).Append('>');
            }

            sb.Append('\n');
        }

        if (digest.Omitted > 0)
        {
            sb.Append(digest.MoreText).Append('\n');
        }

        sb.Append("Group key: ").Append(UntrustedText.OneLine(digest.GroupKey)).Append('\n');
        return Truncation.ToUtf8Bytes(sb.ToString(), SnsLimits.MessageBytes);
    }
}
