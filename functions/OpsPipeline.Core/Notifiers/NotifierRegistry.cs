using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Notifiers.PagerDuty;
using OpsPipeline.Core.Notifiers.Slack;
using OpsPipeline.Core.Notifiers.Sns;
using OpsPipeline.Core.Notifiers.Webhook;

namespace OpsPipeline.Core.Notifiers;

/// <summary>Every channel the pipeline can deliver to, by name: the one place a new channel is registered.</summary>
public static class NotifierRegistry
{
    /// <summary>In the order config errors list them.</summary>
    public static IReadOnlyList<Notifier> All { get; } =
    [
        PagerDutyNotifier.Instance,
        SlackNotifier.Instance,
        SnsNotifier.Instance,
        WebhookNotifier.Instance,
        Teams.TeamsNotifier.Instance,
    ];

    /// <summary>The channel names, in <see cref="All"/>'s order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(n => n.Name)];

    /// <summary>The notifier for a channel name, or null for a name no channel has.</summary>
    public static Notifier? Find(string channel) => All.FirstOrDefault(n => n.Name == channel);

    /// <summary>The notifier of a receiver's channel settings.</summary>
    public static Notifier For(ReceiverSettings settings) =>
        Find(settings.Channel) ?? throw new InvalidOperationException($"no notifier is registered for channel {settings.Channel}");

    /// <summary>Config reading learns the channels from here, when Core loads, without depending on the notifiers.</summary>
    /// <remarks>
    /// A module initializer, which CA2255 keeps for applications: here it is the one registration that lets the config
    /// reader (below the notifiers) ask for every channel, and it runs before any type of Core is used.
    /// </remarks>
#pragma warning disable CA2255
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterWithConfiguration() => ChannelCatalog.Register(All);
}
