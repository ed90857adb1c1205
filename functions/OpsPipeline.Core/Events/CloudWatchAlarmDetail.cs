using System.Text.Json.Serialization;

namespace OpsPipeline.Core.Events;

/// <summary>
/// <c>detail</c> of "CloudWatch Alarm State Change" and "CloudWatch Alarm Contributor State Change": one shape
/// covers single-metric, metric-math, anomaly-detection, composite and Metrics Insights (contributor) alarms.
/// </summary>
public sealed record CloudWatchAlarmDetail
{
    [JsonPropertyName("alarmName")]
    public string? AlarmName { get; init; }

    [JsonPropertyName("state")]
    public AlarmState? State { get; init; }

    /// <summary>Absent on contributor events.</summary>
    [JsonPropertyName("previousState")]
    public AlarmState? PreviousState { get; init; }

    [JsonPropertyName("configuration")]
    public AlarmConfiguration? Configuration { get; init; }

    /// <summary>The time series that changed state (contributor events), as the CloudWatch docs spell it.</summary>
    [JsonPropertyName("alarmContributor")]
    public AlarmContributor? AlarmContributor { get; init; }

    /// <summary>Alternative spelling some producers use; <see cref="AlarmContributor"/> wins when both are set.</summary>
    [JsonPropertyName("contributor")]
    public AlarmContributor? Contributor { get; init; }

    /// <summary>The alarm's tags, present when tag propagation is enabled on the alarm.</summary>
    [JsonPropertyName("alarmTags")]
    public IReadOnlyDictionary<string, string>? AlarmTags { get; init; }

    /// <summary>SUCCESS or why the tags could not be read.</summary>
    [JsonPropertyName("alarmTagsStatus")]
    public string? AlarmTagsStatus { get; init; }

    /// <summary>Present when an alarm mute rule covers the alarm.</summary>
    [JsonPropertyName("muteDetail")]
    public MuteDetail? MuteDetail { get; init; }
}

/// <summary>An alarm state: value, the human reason, the machine reason (<see cref="ReasonData"/>), when.</summary>
public sealed record AlarmState
{
    /// <summary>ALARM, OK or INSUFFICIENT_DATA.</summary>
    [JsonPropertyName("value")]
    public string? Value { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>
    /// The wire carries a JSON document inside a JSON string; its fields are parsed on first use when it is
    /// valid JSON, and it is kept as raw text otherwise (see <see cref="AlarmReasonData.IsParsed"/>), never failing the event.
    /// </summary>
    [JsonPropertyName("reasonData")]
    [JsonConverter(typeof(AlarmReasonDataConverter))]
    public AlarmReasonData? ReasonData { get; init; }

    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Composite alarms: WaitPeriod, ExtensionPeriod or Alarm when actions are suppressed.</summary>
    [JsonPropertyName("actionsSuppressedBy")]
    public string? ActionsSuppressedBy { get; init; }

    [JsonPropertyName("actionsSuppressedReason")]
    public string? ActionsSuppressedReason { get; init; }
}

/// <summary>The alarm's configuration as carried by the state change event.</summary>
public sealed record AlarmConfiguration
{
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Metric and metric-math queries; one metricStat for a single-metric alarm.</summary>
    [JsonPropertyName("metrics")]
    public IReadOnlyList<AlarmMetric>? Metrics { get; init; }

    /// <summary>Anomaly-detection alarms: the id of the ANOMALY_DETECTION_BAND expression.</summary>
    [JsonPropertyName("thresholdMetricId")]
    public string? ThresholdMetricId { get; init; }

    /// <summary>Composite alarms: e.g. <c>ALARM(a) OR ALARM(b)</c>.</summary>
    [JsonPropertyName("alarmRule")]
    public string? AlarmRule { get; init; }

    [JsonPropertyName("actionsSuppressor")]
    public string? ActionsSuppressor { get; init; }

    [JsonPropertyName("actionsSuppressorWaitPeriod")]
    public int? ActionsSuppressorWaitPeriod { get; init; }

    [JsonPropertyName("actionsSuppressorExtensionPeriod")]
    public int? ActionsSuppressorExtensionPeriod { get; init; }
}

/// <summary>One entry of <c>configuration.metrics</c>: either a metricStat or an expression.</summary>
public sealed record AlarmMetric
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("expression")]
    public string? Expression { get; init; }

    [JsonPropertyName("label")]
    public string? Label { get; init; }

    [JsonPropertyName("metricStat")]
    public MetricStat? MetricStat { get; init; }

    [JsonPropertyName("returnData")]
    public bool? ReturnData { get; init; }

    /// <summary>Set on expressions (e.g. Metrics Insights queries); metricStat carries its own.</summary>
    [JsonPropertyName("period")]
    public int? Period { get; init; }

    [JsonPropertyName("accountId")]
    public string? AccountId { get; init; }
}

/// <summary>A metric with a statistic over a period.</summary>
public sealed record MetricStat
{
    [JsonPropertyName("metric")]
    public MetricIdentity? Metric { get; init; }

    [JsonPropertyName("period")]
    public int? Period { get; init; }

    [JsonPropertyName("stat")]
    public string? Stat { get; init; }

    [JsonPropertyName("unit")]
    public string? Unit { get; init; }
}

/// <summary>Namespace, name and dimensions of a CloudWatch metric.</summary>
public sealed record MetricIdentity
{
    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("dimensions")]
    public IReadOnlyDictionary<string, string>? Dimensions { get; init; }
}

/// <summary>The time series of a multi-time-series alarm that changed state.</summary>
public sealed record AlarmContributor
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    /// <summary>What identifies the series, e.g. <c>TableName</c>.</summary>
    [JsonPropertyName("attributes")]
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}

/// <summary>The mute rule covering the alarm. Window times stay text: an odd value here must not fail an alert.</summary>
public sealed record MuteDetail
{
    [JsonPropertyName("mutedByArn")]
    public string? MutedByArn { get; init; }

    [JsonPropertyName("muteWindowStart")]
    public string? MuteWindowStart { get; init; }

    [JsonPropertyName("muteWindowEnd")]
    public string? MuteWindowEnd { get; init; }

    [JsonIgnore]
    public DateTimeOffset? MuteWindowStartTime => AwsTimestamp.TryParse(MuteWindowStart, out var t) ? t : null;

    [JsonIgnore]
    public DateTimeOffset? MuteWindowEndTime => AwsTimestamp.TryParse(MuteWindowEnd, out var t) ? t : null;
}
