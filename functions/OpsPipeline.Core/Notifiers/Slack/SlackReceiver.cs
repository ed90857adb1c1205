using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Notifiers.Slack;

/// <summary>slack: { webhookUrlParameter }: the SSM SecureString holding the incoming-webhook URL.</summary>
public sealed record SlackReceiver(string WebhookUrlParameter) : ReceiverSettings
{
    public override string Channel => SlackNotifier.ChannelName;

    public override DeliveryTarget Target => new() { Parameter = WebhookUrlParameter };
}
