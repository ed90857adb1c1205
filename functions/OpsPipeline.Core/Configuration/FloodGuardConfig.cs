namespace OpsPipeline.Core.Configuration;

/// <summary>The page-flood caps (defaults.floodGuard): per alert per hour, per receiver per minute by channel.</summary>
public sealed record FloodGuardConfig
{
    public int AlertPerHour { get; init; } = 10;

    /// <summary>Per channel; PagerDuty and Slack defaults stay under their own rate limits.</summary>
    public IReadOnlyDictionary<string, int> ReceiverPerMinute { get; init; } = DefaultReceiverPerMinute;

    /// <summary>One shared instance, so two configs that leave the caps alone compare equal.</summary>
    private static readonly IReadOnlyDictionary<string, int> DefaultReceiverPerMinute =
        ChannelCatalog.All.ToDictionary(n => n.Name, n => n.DefaultReceiverPerMinute, StringComparer.Ordinal);

    public int ReceiverCap(string channel) => ReceiverPerMinute.TryGetValue(channel, out var cap) ? cap : 60;
}
