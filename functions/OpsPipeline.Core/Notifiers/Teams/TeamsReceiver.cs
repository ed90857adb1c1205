using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Notifiers.Teams;

/// <summary>teams: { webhookUrlParameter }: the SSM SecureString holding the Workflows webhook URL.</summary>
public sealed record TeamsReceiver(string WebhookUrlParameter) : ReceiverSettings
{
    public override Notifier Notifier => TeamsNotifier.Instance;

    public override DeliveryTarget Target => new() { Parameter = WebhookUrlParameter };
}
