namespace OpsPipeline.Core.Events;

/// <summary>The EventBridge sources and detail-types the parser recognises, spelled as AWS sends them.</summary>
public static class CloudWatchEventTypes
{
    public const string Source = "aws.cloudwatch";

    public const string AlarmStateChange = "CloudWatch Alarm State Change";

    /// <summary>One time series (contributor) of a multi-time-series (Metrics Insights) alarm changed state.</summary>
    public const string AlarmContributorStateChange = "CloudWatch Alarm Contributor State Change";
}

/// <summary>The alarm state values CloudWatch uses.</summary>
public static class AlarmStateValues
{
    public const string Alarm = "ALARM";
    public const string Ok = "OK";
    public const string InsufficientData = "INSUFFICIENT_DATA";

    public static bool IsKnown(string value) => value is Alarm or Ok or InsufficientData;
}
