using System.Text;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Rendering;

/// <summary>
/// What a digest says, the same on every channel: how many alerts, which group, the worst severity, and the
/// alerts worst first. Every text here is cleaned and capped but not escaped; each channel escapes for itself.
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

    private AlertDigest(
        string groupKey,
        IReadOnlyList<KeyValuePair<string, string>> groupLabels,
        IReadOnlyList<DigestEntry> listed,
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

    /// <summary>The first <see cref="ListedAlerts"/> alerts, worst severity first, then by name.</summary>
    public IReadOnlyList<DigestEntry> Listed { get; }

    public int Count { get; }

    public int Firing { get; }

    public int Resolved { get; }

    /// <summary>Neither firing nor resolved (INSUFFICIENT_DATA).</summary>
    public int Unknown => Count - Firing - Resolved;

    /// <summary>Alerts counted but not listed.</summary>
    public int Omitted => Count - Listed.Count;

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

    public static AlertDigest For(string groupKey, IReadOnlyDictionary<string, string> groupLabels, IReadOnlyList<Alert> alerts)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupKey);
        ArgumentNullException.ThrowIfNull(groupLabels);
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0)
        {
            throw new ArgumentException($"A digest needs at least one alert; group '{groupKey}' has none.", nameof(alerts));
        }

        var sorted = alerts
            .OrderByDescending(a => Severities.Rank(a.Severity))
            .ThenBy(a => a.Name, StringComparer.Ordinal)
            .ThenBy(a => a.Key, StringComparer.Ordinal)
            .ToList();

        var labels = groupLabels
            .OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => KeyValuePair.Create(UntrustedText.OneLine(l.Key), Truncation.ToChars(UntrustedText.OneLine(l.Value), LabelValueChars)))
            .ToList();

        return new AlertDigest(
            groupKey,
            labels,
            sorted.Take(ListedAlerts).Select(DigestEntry.For).ToList(),
            alerts.Count,
            alerts.Count(a => a.Status == AlertStatus.Firing),
            alerts.Count(a => a.Status == AlertStatus.Resolved),
            Severities.Worst(alerts.Select(a => a.Severity)),
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
            var rest = Count - shown - 1;
            var reserve = rest > 0 ? MoreSuffix(rest).Length : 0;
            if (sb.Length + separator.Length + entry.Name.Length + reserve > maxChars)
            {
                break;
            }

            sb.Append(separator).Append(entry.Name);
            shown++;
        }

        if (shown < Count)
        {
            sb.Append(shown > 0 ? ", " : string.Empty).Append(MoreMarker).Append($" and {Count - shown} more");
        }

        return Truncation.ToChars(sb.ToString(), maxChars);
    }

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
internal sealed record DigestEntry(string Key, string Name, string State, string Status, string Severity, string Summary, string? Link, DateTimeOffset StateTimestamp)
{
    public static DigestEntry For(Alert alert) => new(
        alert.Key,
        Truncation.ToChars(UntrustedText.OneLine(alert.Name), AlertDigest.NameChars),
        Truncation.ToChars(alert.State.Wire(), AlertDigest.StateChars),
        AlertPresentation.StatusText(alert.Status),
        Severities.Normalize(alert.Severity),
        Truncation.ToChars(UntrustedText.OneLine(alert.Summary), AlertDigest.SummaryChars),
        alert.Links.Select(l => UntrustedText.WebUrl(l.Href)).FirstOrDefault(u => u is not null) is { Length: <= AlertDigest.LinkChars } url ? url : null,
        alert.StateTimestamp);
}
