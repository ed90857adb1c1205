using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Notifiers;

/// <summary>A receiver's channel block as its notifier read it; each channel has its own record.</summary>
public abstract record ReceiverSettings
{
    /// <summary>The channel these settings belong to.</summary>
    public abstract Notifier Notifier { get; }

    /// <summary>Where its deliveries go: an SSM parameter name for a secret, or a topic.</summary>
    public abstract DeliveryTarget Target { get; }
}

/// <summary>
/// One receiver's channel block, as the config reader hands it to the channel's notifier: each read names the key
/// and reports problems at the value's line and column, as every config error does.
/// </summary>
public abstract class ChannelBlock
{
    /// <summary>A required string naming an SSM parameter (a secret): an absolute path. Empty after an error.</summary>
    public abstract string Parameter(string key);

    /// <summary>A required, non-empty string. Empty after an error.</summary>
    public abstract string Text(string key);
}
