namespace OpsPipeline.Core.Notifiers.Slack;

/// <summary>Limits Slack enforces on incoming-webhook messages (or that we choose to stay far below). Exceeding one loses the whole notification, so the renderers cut to these.</summary>
internal static class SlackLimits
{
    /// <summary>Slack rejects a message whose top-level text exceeds 40,000 characters.</summary>
    public const int TextChars = 40_000;

    /// <summary>Our cap for the notification fallback text: it is a one-glance preview, not the message.</summary>
    public const int FallbackChars = 3_000;

    /// <summary>Slack section (and context mrkdwn) text object.</summary>
    public const int SectionChars = 3_000;

    /// <summary>Slack header block plain_text.</summary>
    public const int HeaderChars = 150;

    /// <summary>Each text of a Slack section's fields.</summary>
    public const int FieldChars = 2_000;

    /// <summary>Blocks in one Slack message.</summary>
    public const int Blocks = 50;
}
