using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Notifiers.Teams;

/// <summary>teams: { webhookUrlParameter }: the SSM SecureString holding the Workflows webhook URL.</summary>
public sealed record TeamsReceiver(string WebhookUrlParameter) : ReceiverSettings
{
    public override string Channel => TeamsNotifier.ChannelName;

    public override DeliveryTarget Target => new() { Parameter = WebhookUrlParameter };
}
