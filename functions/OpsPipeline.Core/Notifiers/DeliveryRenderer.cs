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
    /// <c>20</c> listed and the rest counted; resolved alerts as resolved, the others as new.
    /// <see cref="Delivery.AlertKey"/> is <paramref name="groupKey"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An empty group key, no alerts, or a receiver with no channel configured.</exception>
    public static Delivery RenderDigest(
        string groupKey,
        IReadOnlyDictionary<string, string> groupLabels,
        IReadOnlyList<Alert> alerts,
        ReceiverConfig receiver,
        bool drill)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var members = alerts.Select(a => new DigestMember(a, a.Status == AlertStatus.Resolved ? DeliveryActions.Resolve : DeliveryActions.Trigger)).ToList();
        return RenderDigest(groupKey, groupLabels, members, StillFiring.None, receiver, drill);
    }

    /// <summary>
    /// One <see cref="DeliveryActions.Digest"/> for a group's update, in three parts: new (its triggers), still firing
    /// (its repeats, and <paramref name="stillFiring"/>: the members told firing in earlier updates and not in this
    /// one), resolved (its resolves). Its count is the group's firing total; at most <c>20</c> members listed, the
    /// rest counted. <see cref="Delivery.AlertKey"/> is <paramref name="groupKey"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An empty group key, no members, or a receiver with no channel configured.</exception>
    public static Delivery RenderDigest(
        string groupKey,
        IReadOnlyDictionary<string, string> groupLabels,
        IReadOnlyList<DigestMember> members,
        StillFiring stillFiring,
        ReceiverConfig receiver,
        bool drill)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(receiver);

        var digest = AlertDigest.For(groupKey, groupLabels, [.. members.Select(m => (m.Alert, PartOf(m.Member)))], stillFiring);
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

    private static DigestPart PartOf(string member) => member switch
    {
        DeliveryActions.Resolve => DigestPart.Resolved,
        DeliveryActions.Repeat => DigestPart.StillFiring,
        _ => DigestPart.New,
    };

    private static ReceiverSettings SettingsOf(ReceiverConfig receiver) =>
        receiver.Settings ?? throw new ArgumentException($"Receiver '{receiver.Name}' has no channel configured.", nameof(receiver));
}

/// <summary>One member of a group's update: the alert, and what it is in the update (trigger, repeat or resolve).</summary>
public sealed record DigestMember(Alert Alert, string Member);
