namespace OpsPipeline.Core.Configuration;

/// <summary>Where a delivery goes. Secrets are SSM parameter names, resolved by Deliver at send time.</summary>
public sealed record DeliveryTarget
{
    /// <summary>SSM SecureString name holding a Slack/webhook URL or a PagerDuty routing key.</summary>
    public string? Parameter { get; init; }

    /// <summary>SNS topic for the native sns:publish integration.</summary>
    public string? TopicArn { get; init; }

    /// <summary>A reaction's target: the function, state machine, event bus or dead-letter queue (a move task's source).</summary>
    public string? Arn { get; init; }

    /// <summary>A redrive reaction's destination queue (absent: back to the queues the messages came from).</summary>
    public string? DestinationArn { get; init; }

    /// <summary>An SSM Automation reaction's document.</summary>
    public string? DocumentName { get; init; }

    /// <summary>An eventBridge reaction's detail-type.</summary>
    public string? DetailType { get; init; }

    /// <summary>A stepFunctions reaction's execution name: one per alert transition and reaction, so it starts at most once.</summary>
    public string? ExecutionName { get; init; }

    /// <summary>An SSM Automation reaction's client token (a UUID, one per alert transition and reaction), for the same reason.</summary>
    public string? ClientToken { get; init; }

    /// <summary>A reaction's times, as the state machine writes them into the run's record after starting it.</summary>
    public ReactionRunTimes? Run { get; init; }
}

/// <summary>
/// A reaction run's target (its ARN, or its document's name) and times as stored strings (<see cref="Ports.StoredTime"/>): decided (the run's start, and when a
/// failure is due to be told), first check (when the Tick first looks at a run still going), report by (its
/// deadline), and the item's expiry (epoch seconds, a day past the deadline).
/// </summary>
public sealed record ReactionRunTimes(string Target, string DecidedAt, string CheckAt, string ReportBy, string ExpiresAt);

/// <summary>A receiver's channel block as its notifier read it; each channel has its own record.</summary>
public abstract record ReceiverSettings
{
    /// <summary>The channel these settings belong to (its notifier's name).</summary>
    public abstract string Channel { get; }

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

/// <summary>
/// What config reading needs of a channel: its name, the keys of its block, how to read the block, and its default
/// flood-guard cap. Every notifier is one; they register themselves in <see cref="ChannelCatalog"/>.
/// </summary>
public interface IChannelSettingsReader
{
    string Name { get; }

    IReadOnlyList<string> SettingKeys { get; }

    int DefaultReceiverPerMinute { get; }

    /// <summary>Whether the channel keeps one incident per alert (PagerDuty): each event updates or closes that alert's incident.</summary>
    bool OneEventPerAlert { get; }

    ReceiverSettings ReadSettings(ChannelBlock block);
}

/// <summary>
/// The channels config reading knows, as the notifiers registered them when Core loaded (a module initializer in
/// Notifiers): configuration never depends on the notifiers themselves.
/// </summary>
public static class ChannelCatalog
{
    private static IReadOnlyList<IChannelSettingsReader> _all = [];

    /// <summary>In the order config errors list them.</summary>
    public static IReadOnlyList<IChannelSettingsReader> All => _all;

    public static IReadOnlyList<string> Names => [.. _all.Select(c => c.Name)];

    /// <summary>"pagerduty, slack, sns or webhook": the channels as a config error lists them.</summary>
    public static string NamesInProse() => string.Join(", ", Names.Take(Names.Count - 1)) + " or " + Names[^1];

    /// <summary>The channel of that name, or null.</summary>
    public static IChannelSettingsReader? Find(string name) => _all.FirstOrDefault(c => c.Name == name);

    /// <summary>Registers the channels (once, at load).</summary>
    public static void Register(IReadOnlyList<IChannelSettingsReader> channels) => _all = channels;
}
