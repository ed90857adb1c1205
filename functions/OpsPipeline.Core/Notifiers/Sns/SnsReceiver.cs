using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Notifiers.Sns;

/// <summary>sns: { topicArn }: the topic the state machine publishes to (no secret).</summary>
public sealed record SnsReceiver(string TopicArn) : ReceiverSettings
{
    public override Notifier Notifier => SnsNotifier.Instance;

    public override DeliveryTarget Target => new() { TopicArn = TopicArn };
}
