using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Tests.Events;

public sealed class AlarmArnsTests
{
    [Theory]
    [InlineData("us-east-1", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a b")]
    [InlineData("cn-north-1", "arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:a b")]
    [InlineData("us-gov-west-1", "arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:a b")]
    public void Of_WhenBuilt_ShouldUseTheRegionsPartition(string region, string expected)
    {
        Assert.Equal(expected, AlarmArns.Of(region, "123456789012", "a b"));
    }

    [Theory]
    [InlineData("arn:aws:cloudwatch:us-east-1:123456789012:alarm:x", true)]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:alarm:x", false)]
    [InlineData("arn:aws:cloudwatch:us-east-1:123456789012:dashboard/x", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsAlarmArn_WhenGivenText_ShouldRecogniseOnlyAlarmArns(string? value, bool expected)
    {
        Assert.Equal(expected, AlarmArns.IsAlarmArn(value));
    }
}
