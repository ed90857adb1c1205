using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Rendering;

/// <summary>Turns one alert and what to do about it into the exact body its receiver's channel gets.</summary>
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
        var dedupKey = DedupKeys.For(alert.Key);
        var delivery = new Delivery
        {
            Receiver = receiver.Name,
            Channel = receiver.Channel,
            Action = action,
            AlertKey = alert.Key,
            DedupKey = dedupKey,
            Drill = drill,
            Target = new DeliveryTarget(),
            Payload = default,
        };

        return receiver switch
        {
            { PagerDuty: { } pagerDuty } => delivery with
            {
                Target = new DeliveryTarget { Parameter = pagerDuty.RoutingKeyParameter },
                Payload = PagerDutyEvent.Render(alert, presentation, dedupKey, drill),
            },
            { Slack: { } slack } => delivery with
            {
                Target = new DeliveryTarget { Parameter = slack.WebhookUrlParameter },
                Payload = SlackMessage.Render(alert, presentation, drill),
            },
            { Sns: { } sns } => delivery with
            {
                Target = new DeliveryTarget { TopicArn = sns.TopicArn },
                Subject = SnsMessage.Subject(alert, action, drill),
                Payload = PayloadJson.String(SnsMessage.Text(alert, presentation, drill)),
            },
            { Webhook: { } webhook } => delivery with
            {
                Target = new DeliveryTarget { Parameter = webhook.UrlParameter },
                Payload = WebhookBody.Render(alert, action, dedupKey, drill),
            },
            _ => throw new ArgumentException($"Receiver '{receiver.Name}' has no channel configured.", nameof(receiver)),
        };
    }
}
