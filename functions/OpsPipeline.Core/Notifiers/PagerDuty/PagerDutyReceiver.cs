using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Notifiers.PagerDuty;

/// <summary>pagerduty: { routingKeyParameter }: the SSM SecureString holding the integration's routing key.</summary>
public sealed record PagerDutyReceiver(string RoutingKeyParameter) : ReceiverSettings
{
    public override Notifier Notifier => PagerDutyNotifier.Instance;

    public override DeliveryTarget Target => new() { Parameter = RoutingKeyParameter };
}
