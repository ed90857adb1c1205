namespace OpsPipeline.Core.Rendering;

/// <summary>
/// Limits the channels enforce (or that we choose to stay far below). Exceeding one loses the whole notification,
/// so every renderer cuts to these instead.
/// </summary>
public static class ChannelLimits
{
    /// <summary>Slack rejects a message whose top-level text exceeds 40,000 characters.</summary>
    public const int SlackTextChars = 40_000;

    /// <summary>Our cap for the notification fallback text: it is a one-glance preview, not the message.</summary>
    public const int SlackFallbackChars = 3_000;

    /// <summary>Slack section (and context mrkdwn) text object.</summary>
    public const int SlackSectionChars = 3_000;

    /// <summary>Slack header block plain_text.</summary>
    public const int SlackHeaderChars = 150;

    /// <summary>Each text of a Slack section's fields.</summary>
    public const int SlackFieldChars = 2_000;

    /// <summary>Blocks in one Slack message.</summary>
    public const int SlackBlocks = 50;

    /// <summary>PagerDuty payload.summary.</summary>
    public const int PagerDutySummaryChars = 1_024;

    /// <summary>PagerDuty dedup_key.</summary>
    public const int PagerDutyDedupKeyChars = 255;

    /// <summary>The whole PagerDuty Events API v2 request body.</summary>
    public const int PagerDutyBodyBytes = 512 * 1024;

    /// <summary>SNS subject (printable ASCII).</summary>
    public const int SnsSubjectChars = 100;

    /// <summary>SNS message, UTF-8 bytes.</summary>
    public const int SnsMessageBytes = 256 * 1024;

    /// <summary>
    /// Our cap for each free-text value (reason, description, label value) outside Slack. CloudWatch's own
    /// limits (description 1,024, reason 1,023, tag value 256) stay whole; an oversized DLQ error text cannot
    /// bloat a delivery that must also fit the Step Functions state (256 KB).
    /// </summary>
    public const int FreeTextChars = 4_000;
}
