using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Notifiers.Slack;

/// <summary>slack: { webhookUrlParameter }: the SSM SecureString holding the incoming-webhook URL.</summary>
public sealed record SlackReceiver(string WebhookUrlParameter) : ReceiverSettings
{
    public override Notifier Notifier => SlackNotifier.Instance;

    public override DeliveryTarget Target => new() { Parameter = WebhookUrlParameter };
}
