using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Notifiers.Webhook;

/// <summary>webhook: { urlParameter }: the SSM SecureString holding the receiver's URL.</summary>
public sealed record WebhookReceiver(string UrlParameter) : ReceiverSettings
{
    public override Notifier Notifier => WebhookNotifier.Instance;

    public override DeliveryTarget Target => new() { Parameter = UrlParameter };
}
