using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers;

/// <summary>Turns one alert (or one group of alerts) and what to do about it into the exact body its receiver's channel gets.</summary>
public static class DeliveryRenderer
{
    /// <summary>
    /// A complete <see cref="Delivery"/> for <paramref name="receiver"/>'s channel. <paramref name="action"/> is one
    /// of the single-alert <see cref="DeliveryActions"/>: trigger, resolve, repeat or flapping. An incident key (the
    /// alert's SLO incident) replaces the alert's own as the dedup key.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An action that is not rendered for a single alert.</exception>
    /// <exception cref="ArgumentException">A receiver with no channel configured.</exception>
    public static Delivery Render(Alert alert, string action, ReceiverConfig receiver, bool drill, string? incidentKey = null)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(receiver);

        var presentation = AlertPresentation.For(action);
        var notifier = NotifierOf(receiver);
        var delivery = NewDelivery(receiver, action, alert.Key, drill);
        return notifier.RenderAlert(incidentKey is null ? delivery : delivery with { DedupKey = DedupKeys.For(incidentKey) }, alert, action, presentation, drill);
    }

    /// <summary>
    /// One <see cref="DeliveryActions.Digest"/> for the alerts of one group (same route, same groupBy labels, within
    /// groupWait): the count, the group labels, the worst severity, and the alerts worst first, at most
    /// <c>20</c> listed and the rest counted. <see cref="Delivery.AlertKey"/> is <paramref name="groupKey"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An empty group key, no alerts, or a receiver with no channel configured.</exception>
    public static Delivery RenderDigest(
        string groupKey,
        IReadOnlyDictionary<string, string> groupLabels,
        IReadOnlyList<Alert> alerts,
        ReceiverConfig receiver,
        bool drill)
    {
        ArgumentNullException.ThrowIfNull(receiver);

        var digest = AlertDigest.For(groupKey, groupLabels, alerts);
        var notifier = NotifierOf(receiver);
        return notifier.RenderDigest(NewDelivery(receiver, DeliveryActions.Digest, groupKey, drill), digest, drill);
    }

    /// <summary>Everything but the payload (and SNS subject), the same for every kind of delivery.</summary>
    internal static Delivery NewDelivery(ReceiverConfig receiver, string action, string key, bool drill) => new()
    {
        Receiver = receiver.Name,
        Channel = receiver.Channel,
        Action = action,
        AlertKey = key,
        DedupKey = DedupKeys.For(key),
        Drill = drill,
        Target = SettingsOf(receiver).Target,
    };

    /// <summary>The receiver's channel, or an error naming the receiver when none is configured.</summary>
    internal static Notifier NotifierOf(ReceiverConfig receiver) => NotifierRegistry.For(SettingsOf(receiver));

    private static ReceiverSettings SettingsOf(ReceiverConfig receiver) =>
        receiver.Settings ?? throw new ArgumentException($"Receiver '{receiver.Name}' has no channel configured.", nameof(receiver));
}
