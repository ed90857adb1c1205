using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Notifiers.PagerDuty;

/// <summary>pagerduty: { routingKeyParameter }: the SSM SecureString holding the integration's routing key.</summary>
public sealed record PagerDutyReceiver(string RoutingKeyParameter) : ReceiverSettings
{
    public override string Channel => PagerDutyNotifier.ChannelName;

    public override DeliveryTarget Target => new() { Parameter = RoutingKeyParameter };
}
