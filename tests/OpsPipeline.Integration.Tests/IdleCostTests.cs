using OpsCtl;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// Issue 19's idle cost, counted through the local stack: a quiet stretch of ticks with the sample config sends
/// nothing, and each tick is one execution of three transitions, one Lambda invocation and a handful of DynamoDB reads,
/// which on the tick's EXPRESS machine is well under the $0.50 a month the issue allows (and dollars as STANDARD).
/// </summary>
[Trait("Category", "Integration")]
public class IdleCostTests
{
    [Fact]
    public async Task QuietMonth_WhenNoAlarmEverFires_ShouldTickForCentsOnExpressAndSendNothing()
    {
        var measured = await IdleCostCommand.MeasureAsync(TestConfig.Inline(File.ReadAllText(OpsCtl.Local.RepoPaths.SampleConfig)), 30, CancellationToken.None);

        Assert.Equal(0, measured.Deliveries);
        Assert.Equal(30 * 3, measured.Transitions); // Event or tick, Run tick, Send deliveries (empty)
        Assert.Equal(30, measured.LambdaInvocations);
        Assert.InRange(measured.DynamoRequests, 30, 30 * 6);
        Assert.InRange(measured.WriteUnits, 0, 1); // one first-time item in the whole stretch at most, nothing per tick
        Assert.Equal((1, 1, 1), (measured.Fixed["AWS::CloudWatch::Dashboard"], measured.Fixed["AWS::KMS::Key"], measured.Fixed["AWS::CloudWatch::Alarm"] > 0 ? 1 : 0));

        var report = IdleCostCommand.Report(measured);
        Assert.Contains("goal: under $0.50 a month billed per use: met with the tick on EXPRESS", report, StringComparison.Ordinal);
        Assert.Contains("Step Functions                                 0.048              3.240", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuietMonth_WhenTheOptionalFixedItemsAreTurnedOff_ShouldCountNoDashboardAndNoKeyButEveryAlarm()
    {
        var config = TestConfig.Inline(File.ReadAllText(OpsCtl.Local.RepoPaths.SampleConfig));
        var defaults = await IdleCostCommand.MeasureAsync(config, 1, CancellationToken.None);
        var lean = await IdleCostCommand.MeasureAsync(config, 1, CancellationToken.None, new Dictionary<string, string>
        {
            ["Dashboard"] = "false",
            ["AlarmTopicKeyArn"] = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        });

        Assert.Equal((0, 0), (lean.Fixed["AWS::CloudWatch::Dashboard"], lean.Fixed["AWS::KMS::Key"]));
        Assert.Equal(defaults.Fixed["AWS::CloudWatch::Alarm"], lean.Fixed["AWS::CloudWatch::Alarm"]);
        var report = IdleCostCommand.Report(lean);
        Assert.Contains("0 dashboard x $3.00 = $0.00", report, StringComparison.Ordinal);
        Assert.Contains("0 KMS key x $1.00 = $0.00", report, StringComparison.Ordinal);
    }
}
