namespace OpsPipeline.Core.Notifiers.Sns;

/// <summary>Limits SNS enforces on a published message. Exceeding one loses the whole notification, so the renderers cut to these.</summary>
internal static class SnsLimits
{
    /// <summary>SNS subject (printable ASCII).</summary>
    public const int SubjectChars = 100;

    /// <summary>SNS message, UTF-8 bytes.</summary>
    public const int MessageBytes = 256 * 1024;
}
