namespace OpsPipeline.Core.Notifiers.PagerDuty;

/// <summary>Limits of the PagerDuty Events API v2. Exceeding one loses the whole notification, so the renderers cut to these.</summary>
internal static class PagerDutyLimits
{
    /// <summary>PagerDuty payload.summary.</summary>
    public const int SummaryChars = 1_024;

    /// <summary>The whole PagerDuty Events API v2 request body.</summary>
    public const int BodyBytes = 512 * 1024;
}
