using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Rendering;

/// <summary>How one delivery action reads to a human, the same on every channel.</summary>
/// <param name="Headline">Upper-case word(s) leading a Slack header and an SNS message.</param>
/// <param name="SlackEmoji">Slack shortcode shown before the headline.</param>
/// <param name="PagerDutyEventAction">trigger | resolve.</param>
/// <param name="SummaryTag">Put in front of the PagerDuty summary, or null.</param>
internal sealed record AlertPresentation(string Headline, string SlackEmoji, string PagerDutyEventAction, string? SummaryTag)
{
    /// <summary>The single-alert actions. Digests (many alerts), budget and DLQ notices get their own entries when rendered.</summary>
    public static AlertPresentation For(string action) => action switch
    {
        DeliveryActions.Trigger => new("FIRING", ":rotating_light:", "trigger", null),
        DeliveryActions.Resolve => new("RESOLVED", ":white_check_mark:", "resolve", null),
        DeliveryActions.Repeat => new("STILL FIRING", ":repeat:", "trigger", null),
        DeliveryActions.Flapping => new("FLAPPING", ":twisted_rightwards_arrows:", "trigger", "[FLAPPING]"),
        DeliveryActions.Dlq => new("DEAD-LETTERED", ":inbox_tray:", "trigger", "[DLQ]"),
        _ => throw new ArgumentOutOfRangeException(
            nameof(action),
            action,
            $"Action '{action}' cannot be rendered for a single alert; expected trigger, resolve, repeat or flapping."),
    };

    /// <summary>"ALARM (was OK)", or just the state when the previous one is unknown.</summary>
    public static string StateText(Alert alert)
    {
        var state = alert.State.Wire();
        var previous = UntrustedText.OneLine(alert.PreviousState);
        return previous.Length == 0 ? state : $"{state} (was {previous})";
    }

    /// <summary>The subject tag of an SNS message: the raw state for trigger/resolve, the action otherwise.</summary>
    public static string SnsTag(Alert alert, string action) => action switch
    {
        DeliveryActions.Repeat => "[REMINDER] [" + alert.State.Wire() + "]",
        DeliveryActions.Flapping => "[FLAPPING]",
        DeliveryActions.Dlq => "[DLQ]",
        _ => "[" + alert.State.Wire() + "]",
    };

    /// <summary>PagerDuty's four severities from our severity label (case-insensitive); anything unknown is a warning.</summary>
    public static string PagerDutySeverity(string severity) => Severities.Normalize(severity);

    /// <summary>firing | resolved | unknown: the status word of webhook bodies.</summary>
    public static string StatusText(AlertStatus status) => status switch
    {
        AlertStatus.Firing => "firing",
        AlertStatus.Resolved => "resolved",
        _ => "unknown",
    };

    /// <summary>Labels in ordinal key order, so every rendering of one alert is byte-identical.</summary>
    public static KeyValuePair<string, string>[] OrderedLabels(Alert alert)
    {
        // One array sorted in place: the LINQ sort allocated its buffer, keys, map and enumerator per delivery.
        var labels = alert.Labels.ToArray();
        Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return labels;
    }

    /// <summary>ISO-8601 UTC with milliseconds and Z: what PagerDuty and humans both read.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
