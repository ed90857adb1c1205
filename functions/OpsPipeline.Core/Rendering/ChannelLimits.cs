namespace OpsPipeline.Core.Rendering;

/// <summary>
/// Limits shared by every channel (each channel's own are in its notifier's folder). Exceeding one loses the whole
/// notification, so every renderer cuts to these instead.
/// </summary>
public static class ChannelLimits
{
    /// <summary>A dedup key: PagerDuty's dedup_key limit, the strictest of the channels.</summary>
    public const int DedupKeyChars = 255;

    /// <summary>
    /// Our cap for each free-text value (reason, description, label value) outside Slack. CloudWatch's own
    /// limits (description 1,024, reason 1,023, tag value 256) stay whole; an oversized DLQ error text cannot
    /// bloat a delivery that must also fit the Step Functions state (256 KB).
    /// </summary>
    public const int FreeTextChars = 4_000;
}
