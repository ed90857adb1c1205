namespace OpsPipeline.Core.Events;

/// <summary>
/// What a parsed event must also be before any decision reads it: its times plausible (not before 2000, not more
/// than the allowed clock skew ahead of the pipeline's clock), so no arithmetic on input time can overflow or make
/// a transition "newer" than every real one for ever; and its alarm ARN naming the same alarm, account and region
/// as the rest of the event, so an alert key can never be steered onto another alarm.
/// </summary>
public static class EventPlausibility
{
    /// <summary>No event this pipeline sees predates this.</summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far ahead of the pipeline's clock an input time may be (clocks of AWS services drift a little).</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(15);

    /// <summary>The longest window a CloudWatch alarm mute rule can have (its schedule's duration is at most P15D).</summary>
    public static readonly TimeSpan MaxMuteWindow = TimeSpan.FromDays(15);

    /// <summary>
    /// Why a <c>muteDetail</c> cannot be honoured (null: it can): a rule ARN and both window times readable, the window
    /// starting after <see cref="Earliest"/>, ending after it starts and no longer than <see cref="MaxMuteWindow"/>. An
    /// implausible window is ignored, never a rejection of the alarm: the alarm is then treated as not muted.
    /// </summary>
    public static string? MuteWindowProblem(MuteDetail mute)
    {
        ArgumentNullException.ThrowIfNull(mute);
        if (mute.MutedByArn is not { Length: > 0 and <= 1600 } arn || !arn.StartsWith("arn:", StringComparison.Ordinal) || !arn.Contains(":alarm-mute-rule", StringComparison.Ordinal) || arn.Any(char.IsWhiteSpace))
        {
            return "muteDetail.mutedByArn is not an alarm mute rule ARN";
        }

        if (mute.MuteWindowStartTime is not { } start)
        {
            return $"muteDetail.muteWindowStart: '{mute.MuteWindowStart}' is not a time";
        }

        if (mute.MuteWindowEndTime is not { } end)
        {
            return $"muteDetail.muteWindowEnd: '{mute.MuteWindowEnd}' is not a time";
        }

        if (start < Earliest)
        {
            return $"muteDetail.muteWindowStart: {AwsTimestamp.Format(start)} is before {AwsTimestamp.Format(Earliest)}";
        }

        if (end <= start)
        {
            return $"muteDetail: the window ends ({AwsTimestamp.Format(end)}) before it starts ({AwsTimestamp.Format(start)})";
        }

        return end - start > MaxMuteWindow
            ? $"muteDetail: the window from {AwsTimestamp.Format(start)} to {AwsTimestamp.Format(end)} is longer than the {MaxMuteWindow.TotalDays:0} days a mute rule can last"
            : null;
    }

    /// <summary>Whether <paramref name="time"/> lies in [2000-01-01, now + skew].</summary>
    public static bool IsPlausible(DateTimeOffset time, DateTimeOffset now, TimeSpan skew) =>
        time >= Earliest && (now > DateTimeOffset.MaxValue - skew || time <= now + skew);

    /// <summary>Throws <see cref="InvalidEventException"/> naming the first field that is implausible or inconsistent.</summary>
    public static void Check(ParsedEvent e, DateTimeOffset now, TimeSpan skew)
    {
        CheckTime("time", e.Time, now, skew);
        switch (e)
        {
            case CloudWatchAlarmEvent alarm:
                CheckTime("detail.state.timestamp", alarm.StateTimestamp, now, skew);
                if (alarm.PreviousState?.Timestamp is { } previous)
                {
                    CheckTime("detail.previousState.timestamp", previous, now, skew);
                }

                CheckAlarmArn(alarm);
                break;
            case DlqArrivalEvent dlq when dlq.Arrival.SentTime is { } sent:
                CheckTime("detail.sentTime", sent, now, skew);
                break;
        }
    }

    private static void CheckTime(string field, DateTimeOffset time, DateTimeOffset now, TimeSpan skew)
    {
        if (!IsPlausible(time, now, skew))
        {
            throw new InvalidEventException(field, $"{field}: {AwsTimestamp.Format(time)} is not a time between {AwsTimestamp.Format(Earliest)} and {Minutes(skew)} after the pipeline's clock ({AwsTimestamp.Format(now)})");
        }
    }

    private static string Minutes(TimeSpan skew) => skew.TotalMinutes == 1 ? "1 minute" : $"{skew.TotalMinutes:0.##} minutes";

    /// <summary>resources[0] (the alarm ARN) must be arn:PARTITION:cloudwatch:REGION:ACCOUNT:alarm:NAME of this very event.</summary>
    private static void CheckAlarmArn(CloudWatchAlarmEvent alarm)
    {
        var parts = alarm.AlarmArn.Split(':', 7);
        var readable = parts.Length == 7 && parts[0] == "arn" && parts[1].StartsWith("aws", StringComparison.Ordinal) && parts[2] == "cloudwatch" && parts[5] == "alarm";
        if (!readable)
        {
            throw new InvalidEventException("resources[0]", $"resources[0]: '{alarm.AlarmArn}' is not a CloudWatch alarm ARN");
        }

        var mismatches = new List<string>();
        if (!string.Equals(parts[6], alarm.AlarmName, StringComparison.Ordinal))
        {
            mismatches.Add($"it names alarm '{parts[6]}' but detail.alarmName is '{alarm.AlarmName}'");
        }

        if (!string.Equals(parts[4], alarm.Account, StringComparison.Ordinal))
        {
            mismatches.Add($"it names account {parts[4]} but account is {alarm.Account}");
        }

        if (!string.Equals(parts[3], alarm.Region, StringComparison.Ordinal))
        {
            mismatches.Add($"it names region {parts[3]} but region is {alarm.Region}");
        }

        if (mismatches.Count > 0)
        {
            throw new InvalidEventException("resources[0]", $"resources[0]: '{alarm.AlarmArn}' does not agree with the event: {string.Join("; ", mismatches)}");
        }
    }
}
