namespace OpsPipeline.Core.Alerts;

/// <summary>
/// Alert keys: one per distinct issue, stable across an alarm's transitions, so ALARM and the later OK of
/// the same alarm land on the same stored state and the same PagerDuty dedup key.
/// </summary>
public static class AlertKeys
{
    /// <summary><c>{account}:{region}:{alarmArn}</c>.</summary>
    public static string ForAlarm(string account, string region, string alarmArn) =>
        string.Concat(account, ":", region, ":", alarmArn);

    /// <summary>One time series of a multi-time-series alarm: <c>{account}:{region}:{alarmArn}#{contributorId}</c>.</summary>
    public static string ForContributor(string account, string region, string alarmArn, string contributorId) =>
        string.Concat(ForAlarm(account, region, alarmArn), "#", contributorId);
}
