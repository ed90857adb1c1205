using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsPipeline.Core.Decisions;

/// <summary>Notification channels a receiver can use.</summary>
public static class Channels
{
    public const string Slack = "slack";
    public const string PagerDuty = "pagerduty";
    public const string Sns = "sns";
    public const string Webhook = "webhook";
}

/// <summary>What a delivery does for its alert.</summary>
public static class DeliveryActions
{
    public const string Trigger = "trigger";
    public const string Resolve = "resolve";
    public const string Repeat = "repeat";
    public const string Flapping = "flapping";
    public const string Digest = "digest";
    public const string Budget = "budget";
    public const string Dlq = "dlq";
}

/// <summary>Where a delivery goes. Secrets are SSM parameter names, resolved by Deliver at send time.</summary>
public sealed record DeliveryTarget
{
    /// <summary>SSM SecureString name holding a Slack/webhook URL or a PagerDuty routing key.</summary>
    public string? Parameter { get; init; }

    /// <summary>SNS topic for the native sns:publish integration.</summary>
    public string? TopicArn { get; init; }
}

/// <summary>
/// One outbound notification, produced by Decide and sent by the state machine's Map.
/// The JSON shape (camelCase) is a contract with statemachines/alert-pipeline.asl.json:
/// <c>$.channel</c>, <c>$.target.topicArn</c>, <c>$.subject</c>, <c>$.payload</c>.
/// For SNS, <see cref="Payload"/> is a JSON string (the message); otherwise the exact JSON body.
/// PagerDuty bodies carry no routing_key: Deliver adds it from <see cref="DeliveryTarget.Parameter"/>.
/// </summary>
public sealed record Delivery
{
    public required string Receiver { get; init; }

    public required string Channel { get; init; }

    public required string Action { get; init; }

    public required string AlertKey { get; init; }

    public required string DedupKey { get; init; }

    public bool Drill { get; init; }

    public required DeliveryTarget Target { get; init; }

    /// <summary>SNS subject (at most 100 characters); null for other channels.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Subject { get; init; }

    public required JsonElement Payload { get; init; }
}
