using System.Text;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Rendering;

/// <summary>
/// What a digest says, the same on every channel: how many alerts, which group, the worst severity, and the
/// alerts worst first, in three parts as Alertmanager's messages show a group: new, still firing (the update's
/// repeats and, by name, the members told firing in earlier updates) and resolved. Every text here is cleaned and
/// capped but not escaped; each channel escapes for itself.
/// </summary>
internal sealed class AlertDigest
{
    /// <summary>
    /// Alerts listed one by one; the rest are counted ("… and 40 more"). 20 keeps a Slack digest at 25 blocks
    /// at most (limit 50) and every other channel far below its size limit.
    /// </summary>
    public const int ListedAlerts = 20;

    /// <summary>A name longer than CloudWatch allows (255) is not a name a reader needs whole in a list.</summary>
    public const int NameChars = 256;

    /// <summary>A digest line is a one-glance summary; the full text is in the alert's own notification.</summary>
    public const int SummaryChars = 500;

    /// <summary>Group label values, as shown (and as sent in bodies).</summary>
    public const int LabelValueChars = 256;

    /// <summary>States are CloudWatch words (ALARM, OK, INSUFFICIENT_DATA); anything longer is not one.</summary>
    public const int StateChars = 64;

    /// <summary>
    /// A longer link is left out (console links are about 150 characters). In Slack the bound applies to the
    /// encoded link, and with the capped name and state (escaped: at most 1,224 and 264) a line stays below the
    /// 3,000-character section cut, so the cut only ever shortens the summary and never breaks a link.
    /// </summary>
    public const int LinkChars = 1_200;

    /// <summary>The words "… and N more" end every capped list.</summary>
    public const string MoreMarker = "…";

    // Each member's part, for the parts' counts (only the first ListedAlerts are in Listed).
    private readonly IReadOnlyList<DigestPart> _parts;

    private AlertDigest(
        string groupKey,
        IReadOnlyList<KeyValuePair<string, string>> groupLabels,
        IReadOnlyList<DigestEntry> listed,
        IReadOnlyList<DigestPart> parts,
        StillFiring others,
        int count,
        int firing,
        int resolved,
        string worstSeverity,
        string replayName,
        DateTimeOffset latestChange)
    {
        GroupKey = groupKey;
        GroupLabels = groupLabels;
        Listed = listed;
        _parts = parts;
        Others = others;
        Count = count;
        Firing = firing;
        Resolved = resolved;
        WorstSeverity = worstSeverity;
        ReplayName = replayName;
        LatestChange = latestChange;
    }

    /// <summary>The group key as given (an identifier: sent whole where it is data).</summary>
    public string GroupKey { get; }

    /// <summary>Cleaned one-line labels in ordinal key order, values capped.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> GroupLabels { get; }

    /// <summary>The first <see cref="ListedAlerts"/> of the update's own members, worst severity first, then by name.</summary>
    public IReadOnlyList<DigestEntry> Listed { get; }

    /// <summary>Members of the group told firing in earlier updates, not in this one, still firing: by name, the rest counted.</summary>
    public StillFiring Others { get; }

    /// <summary>Every alert the digest tells of: the update's members and <see cref="Others"/>.</summary>
    public int Count { get; }

    /// <summary>The update's own members.</summary>
    public int Members => Count - Others.Count;

    /// <summary>The group's firing total: new and still firing (<see cref="Others"/> included).</summary>
    public int Firing { get; }

    public int Resolved { get; }

    /// <summary>Neither firing nor resolved (INSUFFICIENT_DATA).</summary>
    public int Unknown => Count - Firing - Resolved;

    /// <summary>Members counted but not listed.</summary>
    public int Omitted => Members - Listed.Count;

    /// <summary>One of <see cref="Severities"/>' four levels.</summary>
    public string WorstSeverity { get; }

    /// <summary>The first replay name among the alerts, or empty.</summary>
    public string ReplayName { get; }

    /// <summary>The most recent state change in the group: the digest's timestamp, with no clock read.</summary>
    public DateTimeOffset LatestChange { get; }

    /// <summary>"service=checkout, team=payments", or empty when the route groups by nothing.</summary>
    public string GroupText => string.Join(", ", GroupLabels.Select(l => $"{l.Key}={l.Value}"));

    /// <summary>"[FIRING x5]", or "[FIRING x3, RESOLVED x2]" when the group is mixed.</summary>
    public string Tag => "[" + string.Join(", ", Tally().Select(t => $"{t.Word.ToUpperInvariant()} x{t.Count}")) + "]";

    /// <summary>"5 alerts firing", "1 alert firing", or "5 alerts (3 firing, 2 resolved)" when the group is mixed.</summary>
    public string CountText
    {
        get
        {
            var tally = Tally();
            var alerts = Count == 1 ? "1 alert" : $"{Count} alerts";
            return tally.Count == 1 ? $"{alerts} {tally[0].Word}" : $"{alerts} ({string.Join(", ", tally.Select(t => $"{t.Count} {t.Word}"))})";
        }
    }

    /// <summary>"… and 40 more", or empty when every alert is listed.</summary>
    public string MoreText => Omitted > 0 ? $"{MoreMarker} and {Omitted} more" : string.Empty;

    /// <summary>The parts in the order every channel shows them.</summary>
    public static IReadOnlyList<DigestPart> PartsInOrder { get; } = [DigestPart.New, DigestPart.StillFiring, DigestPart.Resolved];

    /// <summary>
    /// <paramref name="members"/> are the update's own, each with its part; <paramref name="others"/> the rest of the
    /// group still firing (<see cref="StillFiring.None"/> for a digest of its members only).
    /// </summary>
    public static AlertDigest For(string groupKey, IReadOnlyDictionary<string, string> groupLabels, IReadOnlyList<(Alert Alert, DigestPart Part)> members, StillFiring others)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupKey);
        ArgumentNullException.ThrowIfNull(groupLabels);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(others);
        if (members.Count == 0)
        {
            throw new ArgumentException($"A digest needs at least one alert; group '{groupKey}' has none.", nameof(members));
        }

        var sorted = members
            .OrderByDescending(m => Severities.Rank(m.Alert.Severity))
            .ThenBy(m => m.Alert.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Alert.Key, StringComparer.Ordinal)
            .ToList();
        var alerts = sorted.Select(m => m.Alert).ToList();

        // Names read back from the group's record are cleaned and capped again, as every text here is.
        others = others with
        {
            Named = [.. others.Named.Select(m => m with { Name = Truncation.ToChars(UntrustedText.OneLine(m.Name), NameChars), Severity = Severities.Normalize(m.Severity) })],
        };

        var labels = groupLabels
            .OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => KeyValuePair.Create(UntrustedText.OneLine(l.Key), Truncation.ToChars(UntrustedText.OneLine(l.Value), LabelValueChars)))
            .ToList();

        return new AlertDigest(
            groupKey,
            labels,
            sorted.Take(ListedAlerts).Select(m => DigestEntry.For(m.Alert, m.Part)).ToList(),
            [.. sorted.Select(m => m.Part)],
            others,
            alerts.Count + others.Count,
            alerts.Count(a => a.Status == AlertStatus.Firing) + others.Count,
            alerts.Count(a => a.Status == AlertStatus.Resolved),
            Severities.Worst(alerts.Select(a => a.Severity).Concat(others.Named.Select(m => m.Severity))),
            alerts.Select(a => UntrustedText.OneLine(a.ReplayName)).FirstOrDefault(r => r.Length > 0) ?? string.Empty,
            alerts.Max(a => a.StateTimestamp));
    }

    /// <summary>
    /// <paramref name="prefix"/> then as many listed names as fit in <paramref name="maxChars"/>, comma-separated,
    /// and "… and N more" for the rest: "5 alerts firing for service=checkout: a, b, c, … and 2 more".
    /// </summary>
    public string NameList(string prefix, int maxChars)
    {
        var sb = new StringBuilder(prefix);
        var shown = 0;
        foreach (var entry in Listed)
        {
            var separator = shown > 0 ? ", " : string.Empty;
            var rest = Members - shown - 1;
            var reserve = rest > 0 ? MoreSuffix(rest).Length : 0;
            if (sb.Length + separator.Length + entry.Name.Length + reserve > maxChars)
            {
                break;
            }

            sb.Append(separator).Append(entry.Name);
            shown++;
        }

        if (shown < Members)
        {
            sb.Append(shown > 0 ? ", " : string.Empty).Append(MoreMarker).Append($" and {Members - shown} more");
        }

        return Truncation.ToChars(sb.ToString(), maxChars);
    }

    /// <summary>How many alerts the part holds: its members, and for still firing <see cref="Others"/> too.</summary>
    public int CountOf(DigestPart part) => _parts.Count(p => p == part) + (part == DigestPart.StillFiring ? Others.Count : 0);

    /// <summary>The part's members among <see cref="Listed"/>, in its order.</summary>
    public IEnumerable<DigestEntry> ListedIn(DigestPart part) => Listed.Where(e => e.Part == part);

    /// <summary>"New (2)", "Still firing (5)", "Resolved (1)".</summary>
    public string PartTitle(DigestPart part) => part switch
    {
        DigestPart.New => "New",
        DigestPart.StillFiring => "Still firing",
        _ => "Resolved",
    } + $" ({CountOf(part)})";

    /// <summary>
    /// "… and 3 more" for what the part counts but names nowhere: its members not listed and, still firing, the
    /// <see cref="Others"/> the record does not name. Empty when there are none.
    /// </summary>
    public string MoreIn(DigestPart part) => Unshown(part) > 0 ? $"{MoreMarker} and {Unshown(part)} more" : string.Empty;

    /// <summary>
    /// The <see cref="Others"/> the record names, worst first, as many as fit in <paramref name="maxChars"/> once
    /// escaped by <paramref name="escape"/>, then <see cref="MoreIn"/> still firing, counting those that did not fit:
    /// "checkout-db (critical), checkout-queue (warning), … and 3 more".
    /// </summary>
    public string OthersText(Func<string, string> escape, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(escape);
        var sb = new StringBuilder();
        var shown = 0;
        var unshown = Unshown(DigestPart.StillFiring);
        foreach (var member in Others.Named)
        {
            var item = (shown > 0 ? ", " : string.Empty) + $"{escape(member.Name)} ({member.Severity})";
            var rest = Others.Named.Count - shown - 1 + unshown;
            if (sb.Length + item.Length + (rest > 0 ? MoreSuffix(rest).Length : 0) > maxChars)
            {
                break;
            }

            sb.Append(item);
            shown++;
        }

        var more = Others.Named.Count - shown + unshown;
        if (more > 0)
        {
            sb.Append(shown > 0 ? ", " : string.Empty).Append(MoreMarker).Append($" and {more} more");
        }

        return sb.ToString();
    }

    private int Unshown(DigestPart part) =>
        _parts.Count(p => p == part) - ListedIn(part).Count() + (part == DigestPart.StillFiring ? Others.Unnamed : 0);

    private static string MoreSuffix(int rest) => $", {MoreMarker} and {rest} more";

    private List<(string Word, int Count)> Tally() =>
        new (string Word, int Count)[] { ("firing", Firing), ("resolved", Resolved), ("unknown", Unknown) }
            .Where(t => t.Count > 0)
            .ToList();
}

/// <summary>One alert as a digest lists it.</summary>
/// <param name="Key">The alert key, whole (an identifier).</param>
/// <param name="Name">One line, at most <see cref="AlertDigest.NameChars"/>.</param>
/// <param name="State">The raw state (ALARM, OK, ...), one line.</param>
/// <param name="Status">firing | resolved | unknown.</param>
/// <param name="Severity">One of <see cref="Severities"/>' four levels.</param>
/// <param name="Summary">One line, at most <see cref="AlertDigest.SummaryChars"/>.</param>
/// <param name="Link">The alert's first web link (the normalizer puts the alarm's console page first), or null.</param>
/// <param name="StateTimestamp">When the alert entered <paramref name="State"/>.</param>
/// <param name="Part">Where it stands in the group's update.</param>
internal sealed record DigestEntry(string Key, string Name, string State, string Status, string Severity, string Summary, string? Link, DateTimeOffset StateTimestamp, DigestPart Part)
{
    public static DigestEntry For(Alert alert, DigestPart part) => new(
        alert.Key,
        Truncation.ToChars(UntrustedText.OneLine(alert.Name), AlertDigest.NameChars),
        Truncation.ToChars(alert.State.Wire(), AlertDigest.StateChars),
        AlertPresentation.StatusText(alert.Status),
        Severities.Normalize(alert.Severity),
        Truncation.ToChars(UntrustedText.OneLine(alert.Summary), AlertDigest.SummaryChars),
        alert.Links.Select(l => UntrustedText.WebUrl(l.Href)).FirstOrDefault(u => u is not null) is { Length: <= AlertDigest.LinkChars } url ? url : null,
        alert.StateTimestamp,
        part);
}

/// <summary>Where a member stands in its group's update, as Alertmanager's messages list a group.</summary>
internal enum DigestPart
{
    /// <summary>Told firing for the first time.</summary>
    New,

    /// <summary>Told firing before: a repeat in this update, or a member of the group not in it (<see cref="AlertDigest.Others"/>).</summary>
    StillFiring,

    /// <summary>Told resolved.</summary>
    Resolved,
}
