namespace OpsPipeline.Core.Events;

/// <summary>CloudWatch alarm ARNs, as events carry them in <c>resources</c> (or as the parser builds them when they do not).</summary>
public static class AlarmArns
{
    /// <summary>The alarm ARN CloudWatch would report, for events that list no resources.</summary>
    public static string Of(string region, string account, string alarmName) =>
        $"arn:{Partition(region)}:cloudwatch:{region}:{account}:alarm:{alarmName}";

    /// <summary>True for <c>arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}</c>.</summary>
    public static bool IsAlarmArn(string? value) =>
        value is not null
        && value.StartsWith("arn:", StringComparison.Ordinal)
        && value.Contains(":cloudwatch:", StringComparison.Ordinal)
        && value.Contains(":alarm:", StringComparison.Ordinal);

    private static string Partition(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";
}
