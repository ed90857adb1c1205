namespace OpsPipeline.Core.Events;

/// <summary>
/// An event that passed <see cref="EventParser"/>: the envelope fields are present and typed. Derived records
/// say which kind of event it is; switch on them.
/// </summary>
public abstract record ParsedEvent
{
    /// <summary>EventBridge event id: the unit of idempotency.</summary>
    public required string Id { get; init; }

    public required string DetailType { get; init; }

    public required string Source { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required IReadOnlyList<string> Resources { get; init; }

    /// <summary>Set on events replayed from the archive: they run in drill mode.</summary>
    public string? ReplayName { get; init; }
}

/// <summary>What kind of CloudWatch alarm an event is about, read from its configuration.</summary>
public enum AlarmKind
{
    /// <summary>One metricStat, no expression.</summary>
    SingleMetric,

    /// <summary>Expressions over metricStats.</summary>
    MetricMath,

    /// <summary>An ANOMALY_DETECTION_BAND expression is the threshold.</summary>
    AnomalyDetection,

    /// <summary>A Metrics Insights (SQL) query; may alarm per contributor.</summary>
    MetricsInsights,

    /// <summary>An alarm rule over other alarms.</summary>
    Composite,

    /// <summary>The event carried no configuration to tell.</summary>
    Unknown,
}

/// <summary>Common shape of both CloudWatch alarm events, validated: name, ARN and the new state are present.</summary>
public abstract record CloudWatchAlarmEvent : ParsedEvent
{
    public required CloudWatchAlarmDetail Detail { get; init; }

    public required string AlarmName { get; init; }

    /// <summary><c>resources[0]</c>, or built from region, account and name when the event lists no resources.</summary>
    public required string AlarmArn { get; init; }

    public required AlarmKind Kind { get; init; }

    /// <summary>The new state: <see cref="AlarmState.Value"/> and <see cref="AlarmState.Timestamp"/> are set and valid.</summary>
    public AlarmState State => Detail.State!;

    /// <summary>ALARM, OK or INSUFFICIENT_DATA.</summary>
    public string StateValue => Detail.State!.Value!;

    /// <summary>The alarm's own transition time: orders transitions of one alarm.</summary>
    public DateTimeOffset StateTimestamp => Detail.State!.Timestamp!.Value;

    public AlarmState? PreviousState => Detail.PreviousState;
}

/// <summary>"CloudWatch Alarm State Change": a metric, math, anomaly-detection, Insights or composite alarm changed state.</summary>
public sealed record AlarmStateChangeEvent : CloudWatchAlarmEvent;

/// <summary>"CloudWatch Alarm Contributor State Change": one time series of a multi-time-series alarm changed state.</summary>
public sealed record AlarmContributorStateChangeEvent : CloudWatchAlarmEvent
{
    /// <summary>The time series; <see cref="AlarmContributor.Id"/> is set.</summary>
    public required AlarmContributor Contributor { get; init; }

    public string ContributorId => Contributor.Id!;
}

/// <summary>A "DLQ Message Arrived" event (source ops-pipeline.dlq): a message that landed in a watched dead-letter queue.</summary>
public sealed record DlqArrivalEvent : ParsedEvent
{
    public required DlqArrival Arrival { get; init; }
}
