using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// Reactions through `opsctl local` (issue 17): the real ASL starts each through its service integration, the local
/// stack checks the call against the state machine's grant (the template's reaction parameters) and prints it as one
/// `react` line; a refused or failing call is retried and parked.
/// </summary>
[Trait("Category", "Integration")]
public class ReactionScenarioTests
{
    private const string Bus = "arn:aws:events:us-east-1:000000000000:event-bus/remediation";
    private const string Dlq = "arn:aws:sqs:us-east-1:000000000000:orders-dlq";

    private static readonly Dictionary<string, string> Granted = new() { ["ReactionEventBusArns"] = Bus, ["ReactionRedriveQueueArns"] = Dlq };

    private static OpsPipeline.Core.Configuration.PipelineConfig Config() => TestConfig.Inline(File.ReadAllText(RepoPaths.SampleConfig) + $$$"""

        reactions:
          - name: restart-checkout
            match: { alarmName: checkout-api-5xx }
            action: { eventBridge: { eventBusArn: "{{{Bus}}}", detailType: Restart service } }
            input: { service: "{{labels.service}}", alarm: "{{alert.name}}" }
          - name: redrive-orders
            match: { alarmName: checkout-api-5xx }
            on: resolved
            action: { sqsRedrive: { sourceArn: "{{{Dlq}}}" } }
        """);

    [Fact]
    public async Task Reaction_WhenItsAlarmFiresAndResolves_ShouldStartEachOnceThroughItsIntegrationAndPrintItsExactInput()
    {
        var (_, outbound, parked, err) = await TestConfig.RunAsync(
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(10), previous: "ALARM"),
        ], Config(), templateParameters: Granted);

        var reacted = outbound.Where(o => o.Action == "react").ToList();
        Assert.True(reacted.Count == 2, err);
        Assert.Equal(("restart-checkout", "eventBridge"), (reacted[0].Receiver, reacted[0].Channel));
        Assert.Equal("""{"service":"checkout","alarm":"checkout-api-5xx"}""", reacted[0].Payload.GetRawText());
        Assert.EndsWith(":alarm:checkout-api-5xx", reacted[0].AlertKey, StringComparison.Ordinal);
        Assert.False(reacted[0].Drill);
        // on: resolved: the DLQ is redriven after its consumer's alarm recovered, back to its source.
        Assert.Equal(("redrive-orders", "sqsRedrive"), (reacted[1].Receiver, reacted[1].Channel));
        Assert.Equal($$"""{"SourceArn":"{{Dlq}}"}""", reacted[1].Payload.GetRawText());
        Assert.True(reacted[1].At > reacted[0].At);
        Assert.Empty(parked);
        Assert.Contains("reaction restart-checkout: runs", err, StringComparison.Ordinal);
        // The page says what the pipeline did, naming the execution the reaction started under.
        var page = outbound.First(o => o.Receiver == "oncall");
        Assert.Contains($"auto-reaction restart-checkout started (execution {reacted[0].DedupKey})", page.Payload.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("restart-checkout-", reacted[0].DedupKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reaction_WhenTheEventComesTwentyTimes_ShouldStartOnce()
    {
        var alarm = StateChange("checkout-api-5xx", "ALARM", T0, id: "5f0b8c1e-0000-4000-8000-000000000001");

        var (_, outbound, _, err) = await TestConfig.RunAsync(Enumerable.Repeat(alarm, 20), Config(), templateParameters: Granted);

        Assert.True(outbound.Count(o => o.Action == "react") == 1, err);
    }

    [Fact]
    public async Task Reaction_WhenItsTargetIsNotGranted_ShouldBeRefusedAsAwsWouldAndParkedNotStarted()
    {
        // The template's parameters name no bus: the state machine may not put events anywhere.
        var (summary, outbound, parked, _) = await TestConfig.RunAsync([StateChange("checkout-api-5xx", "ALARM", T0)], Config(),
            templateParameters: new Dictionary<string, string>(), allowDenials: true);

        Assert.DoesNotContain(outbound, o => o.Action == "react");
        // Refused at each of its 4 attempts (States.TaskFailed is retried 3 times, as AWS would), then parked. With no
        // reaction target granted at all, the state machine may not record the run either (that too is refused).
        Assert.Equal(5, summary.AccessDenials.Count);
        Assert.All(summary.AccessDenials.Take(4), d => Assert.Contains($"is not authorized to perform: events:PutEvents on resource: {Bus}", d, StringComparison.Ordinal));
        Assert.Contains("is not authorized to perform: dynamodb:PutItem", summary.AccessDenials[4], StringComparison.Ordinal);
        var park = Assert.Single(parked, p => p.Queue == LocalStack.FailedDeliveryQueueUrl);
        Assert.Contains("restart-checkout", park.Body, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", park.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reaction_WhenItsTargetKeepsFailing_ShouldBeRetriedThenParkedWithItsReason()
    {
        var (_, outbound, parked, err) = await TestConfig.RunAsync([StateChange("checkout-api-5xx", "ALARM", T0)], Config(),
            prepare: stack => stack.Faults.Always("restart-checkout", new ReceiverAnswer(500)), templateParameters: Granted);

        Assert.DoesNotContain(outbound, o => o.Action == "react");
        var park = Assert.Single(parked, p => p.Queue == LocalStack.FailedDeliveryQueueUrl);
        Assert.Contains("events:PutEvents answered 500", park.Body, StringComparison.Ordinal);
        Assert.Contains(outbound, o => o.Receiver == "oncall"); // the page went out all the same
    }

    [Fact]
    public async Task ConfigValidate_WhenAReactionsTargetIsNotInTheDeployedParameters_ShouldRefuseItNamingTheParameter()
    {
        var dir = Directory.CreateTempSubdirectory("reaction-grants-").FullName;
        try
        {
            var config = Path.Combine(dir, "ops-pipeline.yaml");
            await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(RepoPaths.SampleConfig)) + $$$"""

                reactions:
                  - name: restart-checkout
                    match: { alarmName: checkout-api-5xx }
                    action: { eventBridge: { eventBusArn: "{{{Bus}}}", detailType: Restart service } }
                """);
            var samconfig = (await File.ReadAllTextAsync(RepoPaths.SamConfig));
            var granted = Path.Combine(dir, "granted.toml");
            await File.WriteAllTextAsync(granted, samconfig.Replace("ReactionEventBusArns=\\\"\\\"", $"ReactionEventBusArns=\\\"{Bus}\\\"", StringComparison.Ordinal));
            Assert.NotEqual(samconfig, await File.ReadAllTextAsync(granted));

            var refused = await CliRunner.Opsctl("config", "validate", "--config", config);
            var accepted = await CliRunner.Opsctl("config", "validate", "--config", config, "--samconfig", granted);

            Assert.Equal(2, refused.Exit);
            Assert.Contains($"reactions[0] (restart-checkout): action.eventBridge target {Bus} is not granted: add it to the template parameter ReactionEventBusArns", refused.Err, StringComparison.Ordinal);
            Assert.True(accepted.Exit == 0, accepted.Err);
            Assert.True(accepted.Out.Contains("1 reactions", StringComparison.Ordinal), accepted.Out + accepted.Err);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Reaction_WhenTheEventIsADrill_ShouldStartNothingAndPrintNoReactLine()
    {
        var (_, outbound, _, err) = await TestConfig.RunAsync(
            [StateChange("checkout-api-5xx", "ALARM", T0, replayName: "game-day")], Config(), templateParameters: Granted);

        Assert.DoesNotContain(outbound, o => o.Action == "react");
        Assert.Contains("reaction restart-checkout", err, StringComparison.Ordinal);
    }
}
