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

    /// <summary>"pagerduty, slack, sns or webhook": the channels as a config error lists them.</summary>
    public static string NamesInProse() => string.Join(", ", Names.Take(Names.Count - 1)) + " or " + Names[^1];
}
