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
}
