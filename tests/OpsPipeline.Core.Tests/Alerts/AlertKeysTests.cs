using OpsPipeline.Core.Alerts;

namespace OpsPipeline.Core.Tests.Alerts;

public sealed class AlertKeysTests
{
    [Fact]
    public void ForAlarm_WhenCalled_ShouldJoinAccountRegionAndArn()
    {
        Assert.Equal(
            "123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx",
            AlertKeys.ForAlarm("123456789012", "us-east-1", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx"));
    }

    [Fact]
    public void ForContributor_WhenCalled_ShouldAppendTheContributorId()
    {
        Assert.Equal(
            "123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:ddb#6f1c2a9b3d4e5f60",
            AlertKeys.ForContributor("123456789012", "us-east-1", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ddb", "6f1c2a9b3d4e5f60"));
    }

    [Theory]
    [InlineData("us-east-1", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a b")]
    [InlineData("cn-north-1", "arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:a b")]
    [InlineData("us-gov-west-1", "arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:a b")]
    public void AlarmArn_WhenBuilt_ShouldUseTheRegionsPartition(string region, string expected)
    {
        Assert.Equal(expected, AlertKeys.AlarmArn(region, "123456789012", "a b"));
    }

    [Theory]
    [InlineData("arn:aws:cloudwatch:us-east-1:123456789012:alarm:x", true)]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:alarm:x", false)]
    [InlineData("arn:aws:cloudwatch:us-east-1:123456789012:dashboard/x", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsAlarmArn_WhenGivenText_ShouldRecogniseOnlyAlarmArns(string? value, bool expected)
    {
        Assert.Equal(expected, AlertKeys.IsAlarmArn(value));
    }
}
