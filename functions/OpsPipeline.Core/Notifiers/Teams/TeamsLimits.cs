namespace OpsPipeline.Core.Notifiers.Teams;

/// <summary>Limits of a Teams message posted by a Workflows webhook. Exceeding one loses the whole notification.</summary>
internal static class TeamsLimits
{
    /// <summary>
    /// The whole request body, UTF-8 bytes. Teams refuses a message over about 28 KB ("Request Entity too large");
    /// we stay under 28,000 bytes, the lower reading of that figure.
    /// </summary>
    public const int MessageBytes = 28_000;

    /// <summary>The free-text caps tried in turn until a card fits <see cref="MessageBytes"/>.</summary>
    public static readonly int[] TextCaps = [Rendering.ChannelLimits.FreeTextChars, 1_000, 256, 64];

    /// <summary>Link buttons on one card: Teams shows a handful, the rest are in the alarm's own links.</summary>
    public const int Actions = 5;

    /// <summary>A button's URL: longer ones are left out rather than cut into a broken link.</summary>
    public const int UrlChars = 2_048;

    /// <summary>A button title.</summary>
    public const int ActionTitleChars = 100;
}
