using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Notifiers.Webhook;

/// <summary>webhook: { urlParameter }: the SSM SecureString holding the receiver's URL.</summary>
public sealed record WebhookReceiver(string UrlParameter) : ReceiverSettings
{
    public override string Channel => WebhookNotifier.ChannelName;

    public override DeliveryTarget Target => new() { Parameter = UrlParameter };
}
