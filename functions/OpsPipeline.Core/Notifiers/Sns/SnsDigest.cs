using System.Text;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Sns;

/// <summary>
/// The SNS subject and plain-text message (email, SMS fan-out) for a group of alerts: its parts (new, still firing,
/// resolved), one line per alert.
/// </summary>
internal static class SnsDigest
{
    /// <summary>"[FIRING x5] service=checkout": printable ASCII, at most 100 characters.</summary>
    public static string Subject(AlertDigest digest, bool drill)
    {
        var group = digest.GroupText;
        return SnsMessage.FitSubject($"{(drill ? "[DRILL] " : string.Empty)}{digest.Tag}" + (group.Length > 0 ? $" {group}" : string.Empty));
    }

    /// <summary>
    /// The count and group, then per part its title and "- [critical] name (ALARM): summary &lt;link&gt;" per listed
    /// alert (the angle brackets keep mail clients from taking trailing text into the link); the rest of the group
    /// still firing as "- [critical] name". At most 256 KB of UTF-8.
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
        foreach (var part in AlertDigest.PartsInOrder.Where(p => digest.CountOf(p) > 0))
        {
            sb.Append(digest.PartTitle(part)).Append(":\n");
            foreach (var entry in digest.ListedIn(part))
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

            if (part == DigestPart.StillFiring)
            {
                foreach (var member in digest.Others.Named)
                {
                    sb.Append("- [").Append(member.Severity).Append("] ").Append(member.Name).Append('\n');
                }
            }

            if (digest.MoreIn(part) is { Length: > 0 } more)
            {
                sb.Append(more).Append('\n');
            }
        }

        sb.Append("Group key: ").Append(UntrustedText.OneLine(digest.GroupKey)).Append('\n');
        return Truncation.ToUtf8Bytes(sb.ToString(), SnsLimits.MessageBytes);
    }
}
