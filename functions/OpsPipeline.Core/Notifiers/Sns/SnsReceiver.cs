using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Notifiers.Sns;

/// <summary>sns: { topicArn }: the topic the state machine publishes to (no secret).</summary>
public sealed record SnsReceiver(string TopicArn) : ReceiverSettings
{
    public override string Channel => SnsNotifier.ChannelName;

    public override DeliveryTarget Target => new() { TopicArn = TopicArn };
}
