using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Rendering;

/// <summary>Turns one alert (or one group of alerts) and what to do about it into the exact body its receiver's channel gets.</summary>
public static class DeliveryRenderer
{
    /// <summary>
    /// A complete <see cref="Delivery"/> for <paramref name="receiver"/>'s channel. <paramref name="action"/> is one
    /// of the single-alert <see cref="DeliveryActions"/>: trigger, resolve, repeat or flapping.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An action that is not rendered for a single alert.</exception>
    /// <exception cref="ArgumentException">A receiver with no channel configured.</exception>
    public static Delivery Render(Alert alert, string action, ReceiverConfig receiver, bool drill)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(receiver);

        var presentation = AlertPresentation.For(action);
        var delivery = NewDelivery(receiver, action, alert.Key, drill);
        return delivery.Channel switch
        {
            Channels.PagerDuty => delivery with { PayloadUtf8 = PagerDutyEvent.Render(alert, presentation, delivery.DedupKey, drill) },
            Channels.Slack => delivery with { PayloadUtf8 = SlackMessage.Render(alert, presentation, drill) },
            Channels.Sns => delivery with
            {
                Subject = SnsMessage.Subject(alert, action, drill),
                PayloadUtf8 = PayloadJson.String(SnsMessage.Text(alert, presentation, drill)),
            },
            _ => delivery with { PayloadUtf8 = WebhookBody.Render(alert, action, delivery.DedupKey, drill) },
        };
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
        var delivery = NewDelivery(receiver, DeliveryActions.Digest, groupKey, drill);
        return delivery.Channel switch
        {
            Channels.PagerDuty => delivery with { PayloadUtf8 = PagerDutyDigest.Render(digest, delivery.DedupKey, drill) },
            Channels.Slack => delivery with { PayloadUtf8 = SlackDigest.Render(digest, drill) },
            Channels.Sns => delivery with
            {
                Subject = SnsDigest.Subject(digest, drill),
                PayloadUtf8 = PayloadJson.String(SnsDigest.Text(digest, drill)),
            },
            _ => delivery with { PayloadUtf8 = WebhookDigest.Render(digest, delivery.DedupKey, drill) },
        };
    }

    /// <summary>Everything but the payload (and SNS subject), the same for single alerts and digests.</summary>
    private static Delivery NewDelivery(ReceiverConfig receiver, string action, string alertKey, bool drill) => new()
    {
        Receiver = receiver.Name,
        Channel = receiver.Channel,
        Action = action,
        AlertKey = alertKey,
        DedupKey = DedupKeys.For(alertKey),
        Drill = drill,
        Target = Target(receiver),
    };

    internal static DeliveryTarget Target(ReceiverConfig receiver) => receiver switch
    {
        { PagerDuty: { } pagerDuty } => new DeliveryTarget { Parameter = pagerDuty.RoutingKeyParameter },
        { Slack: { } slack } => new DeliveryTarget { Parameter = slack.WebhookUrlParameter },
        { Sns: { } sns } => new DeliveryTarget { TopicArn = sns.TopicArn },
        { Webhook: { } webhook } => new DeliveryTarget { Parameter = webhook.UrlParameter },
        _ => throw new ArgumentException($"Receiver '{receiver.Name}' has no channel configured.", nameof(receiver)),
    };
}
