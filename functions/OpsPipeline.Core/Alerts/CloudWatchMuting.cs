using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Alerts;

/// <summary>
/// What CloudWatch itself says mutes an alarm's actions, read from the state change event: an alarm mute rule
/// (<c>detail.muteDetail</c>) and a composite alarm's actions suppression (<c>detail.state.actionsSuppressedBy</c>).
/// </summary>
internal static class CloudWatchMuting
{
    /// <summary>The suppressor's wait and extension periods are seconds; beyond a day they are not believed (re-checked instead).</summary>
    private static readonly TimeSpan MaxSuppressorPeriod = TimeSpan.FromDays(1);

    /// <summary>The event's mute rule window, or why it is ignored (an implausible window never rejects the alarm).</summary>
    public static (AlarmMuteWindow? Window, string? Ignored) MuteRuleOf(CloudWatchAlarmDetail detail)
    {
        if (detail.MuteDetail is not { } mute)
        {
            return (null, null);
        }

        return EventPlausibility.MuteWindowProblem(mute) is { } problem
            ? (null, $"not muted by CloudWatch: {problem}; muteDetail ignored")
            : (new AlarmMuteWindow(mute.MutedByArn!, mute.MuteWindowStartTime!.Value, mute.MuteWindowEndTime!.Value), null);
    }

    /// <summary>
    /// The actions suppression of this transition: WaitPeriod and ExtensionPeriod end at most their configured seconds
    /// after the transition (CloudWatch then sends a new event without the suppression); Alarm lasts while the suppressor
    /// is in ALARM, so it has no end of its own. Any other value is not a suppression CloudWatch documents: none.
    /// </summary>
    public static ActionsSuppression? ActionsSuppressionOf(CloudWatchAlarmDetail detail, DateTimeOffset transition)
    {
        var by = detail.State?.ActionsSuppressedBy;
        var configuration = detail.Configuration;
        int? seconds = by switch
        {
            "WaitPeriod" => configuration?.ActionsSuppressorWaitPeriod,
            "ExtensionPeriod" => configuration?.ActionsSuppressorExtensionPeriod,
            "Alarm" => null,
            _ => -1,
        };
        if (seconds == -1)
        {
            return null;
        }

        DateTimeOffset? until = seconds is > 0 && TimeSpan.FromSeconds(seconds.Value) <= MaxSuppressorPeriod ? transition.AddSeconds(seconds.Value) : null;
        return new ActionsSuppression(by!, SuppressorName(configuration?.ActionsSuppressor), until);
    }

    /// <summary>The suppressor as an operator knows it: its name (the config may give a name or an ARN).</summary>
    private static string SuppressorName(string? suppressor)
    {
        if (string.IsNullOrWhiteSpace(suppressor))
        {
            return "its actions suppressor";
        }

        var marker = suppressor.IndexOf(":alarm:", StringComparison.Ordinal);
        var name = suppressor.StartsWith("arn:", StringComparison.Ordinal) && marker > 0 ? suppressor[(marker + ":alarm:".Length)..] : suppressor;
        return name;
    }
}
