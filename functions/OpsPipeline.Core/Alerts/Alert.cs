using System.Text.Json.Serialization;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Alerts;

/// <summary>An alarm's raw state, as CloudWatch names it (written so on the wire and in reasons: <see cref="AlarmStates.Wire(AlarmState)"/>).</summary>
public enum AlarmState
{
    [JsonStringEnumMemberName(AlarmStateValues.Ok)]
    Ok,

    [JsonStringEnumMemberName(AlarmStateValues.Alarm)]
    Alarm,

    [JsonStringEnumMemberName(AlarmStateValues.InsufficientData)]
    InsufficientData,
}

/// <summary>Where an alert comes from.</summary>
public enum AlertSource
{
    /// <summary>A CloudWatch alarm's state change.</summary>
    [JsonStringEnumMemberName("cloudwatch")]
    CloudWatch,

    /// <summary>Messages dead-lettered in a watched queue.</summary>
    [JsonStringEnumMemberName("dlq")]
    Dlq,
}

/// <summary>The states and sources as they are written: on the wire, in labels and in reasons.</summary>
public static class AlarmStates
{
    public static string Wire(this AlarmState state) => state switch
    {
        AlarmState.Alarm => AlarmStateValues.Alarm,
        AlarmState.Ok => AlarmStateValues.Ok,
        _ => AlarmStateValues.InsufficientData,
    };

    public static string Wire(this AlertSource source) => source == AlertSource.Dlq ? "dlq" : "cloudwatch";

    /// <summary>A state CloudWatch sends; anything else is not a state.</summary>
    public static AlarmState Parse(string value) => value switch
    {
        AlarmStateValues.Alarm => AlarmState.Alarm,
        AlarmStateValues.Ok => AlarmState.Ok,
        AlarmStateValues.InsufficientData => AlarmState.InsufficientData,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "not a CloudWatch alarm state"),
    };
}

/// <summary>Whether an alert is firing, resolved, or neither (INSUFFICIENT_DATA).</summary>
public enum AlertStatus
{
    Firing,
    Resolved,
    Unknown,
}

/// <summary>A link that explains an alert: console, runbook, dashboard, logs, trace.</summary>
public sealed record AlertLink(string Text, string Href);

/// <summary>A CloudWatch alarm mute rule's window: the rule mutes the alarm's actions from start to end.</summary>
public sealed record AlarmMuteWindow(string RuleArn, DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// A composite alarm's actions suppressed by its suppressor alarm: <c>By</c> is WaitPeriod, ExtensionPeriod or Alarm;
/// <c>Until</c> is when the wait or extension period ends (null for Alarm: it lasts while the suppressor is in ALARM).
/// </summary>
public sealed record ActionsSuppression(string By, string Suppressor, DateTimeOffset? Until);

/// <summary>
/// One normalized alert: what is wrong (summary), with the why behind links.
/// Built from a CloudWatch alarm state change or a DLQ arrival; carried as a CloudEvent.
/// </summary>
public sealed record Alert
{
    /// <summary>account + region + alarm ARN (DLQ alerts: queue + groupBy labels). Stable across transitions.</summary>
    public required string Key { get; init; }

    public required AlertSource Source { get; init; }

    public required AlertStatus Status { get; init; }

    /// <summary>Raw state: ALARM, OK, INSUFFICIENT_DATA (DLQ alerts: ALARM).</summary>
    public required AlarmState State { get; init; }

    public string? PreviousState { get; init; }

    /// <summary>The alarm's own state timestamp: the order of transitions.</summary>
    public required DateTimeOffset StateTimestamp { get; init; }

    /// <summary>EventBridge event id: the unit of idempotency.</summary>
    public required string EventId { get; init; }

    /// <summary>EventBridge event time.</summary>
    public required DateTimeOffset EventTime { get; init; }

    public required string Name { get; init; }

    public string? Arn { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    /// <summary>Built-in labels (alarmName, namespace, metric, account, region, source, state) plus config and tag labels. Ordinal order.</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>One line: what is wrong.</summary>
    public required string Summary { get; init; }

    public string? Description { get; init; }

    /// <summary>The alarm's state reason (free text from CloudWatch).</summary>
    public string? Reason { get; init; }

    public IReadOnlyList<AlertLink> Links { get; init; } = [];

    /// <summary>X-Ray trace id carried from the event, when there is one.</summary>
    public string? TraceId { get; init; }

    /// <summary>Set for events replayed from the archive (EventBridge "replay-name").</summary>
    public string? ReplayName { get; init; }

    /// <summary>The CloudWatch alarm mute rule the event says covers the alarm (<c>detail.muteDetail</c>), when its window is plausible.</summary>
    public AlarmMuteWindow? MuteRule { get; init; }

    /// <summary>A composite alarm's actions suppression (<c>detail.state.actionsSuppressedBy</c>), when set.</summary>
    public ActionsSuppression? ActionsSuppressed { get; init; }

    /// <summary>Why CloudWatch's muting in the event was not honoured (an implausible <c>muteDetail</c>), for the decision path.</summary>
    public string? MuteIgnored { get; init; }

    public string Severity => Labels.TryGetValue("severity", out var s) ? s : "warning";
}
