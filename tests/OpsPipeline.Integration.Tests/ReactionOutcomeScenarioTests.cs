using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// A reaction's outcome through `opsctl local` (issue 17): the state machine records each run it starts (a RUN# item,
/// its own dynamodb:putItem task, IAM-checked), the Tick learns how it ended (the task's answer, SQS's move task, SSM's
/// automation, or its deadline) and tells the alert's receivers once: a chat line, and a PagerDuty change event.
/// </summary>
[Trait("Category", "Integration")]
public class ReactionOutcomeScenarioTests
{
    private const string Bus = "arn:aws:events:us-east-1:000000000000:event-bus/remediation";
    private const string Dlq = "arn:aws:sqs:us-east-1:000000000000:orders-dlq";
    private const string Function = "arn:aws:lambda:us-east-1:000000000000:function:restart-orders";
    private const string Document = "arn:aws:ssm:us-east-1:000000000000:automation-definition/AWS-RestartEC2Instance:$DEFAULT";
    private const string Machine = "arn:aws:states:us-east-1:000000000000:stateMachine:failover-orders";

    private static readonly Dictionary<string, string> Granted = new()
    {
        ["ReactionEventBusArns"] = Bus,
        ["ReactionRedriveQueueArns"] = Dlq,
        ["ReactionFunctionArns"] = Function,
        ["ReactionAutomationArns"] = Document,
        ["ReactionStateMachineArns"] = Machine,
    };

    private static OpsPipeline.Core.Configuration.PipelineConfig Config(string reaction) =>
        TestConfig.Inline(File.ReadAllText(RepoPaths.SampleConfig) + "\nreactions:\n" + reaction);

    private static async Task<(IReadOnlyList<OutboundRecord> Outbound, IReadOnlyList<ParkedRecord> Parked, RunSummary Summary, string Err)> RunAsync(
        string reaction, Action<LocalStack>? prepare = null, bool resolve = false)
    {
        string[] events = resolve
            ? [StateChange("checkout-api-5xx", "ALARM", T0), StateChange("checkout-api-5xx", "OK", T0.AddMinutes(10), previous: "ALARM")]
            : [StateChange("checkout-api-5xx", "ALARM", T0)];
        var (summary, outbound, parked, err) = await TestConfig.RunAsync(events, Config(reaction), prepare, templateParameters: Granted);
        Assert.True(summary.AccessDenials.Count == 0, string.Join('\n', summary.AccessDenials));
        return (outbound, parked, summary, err);
    }

    /// <summary>The outcome lines, and the receivers of the alert's routes (who must each be told once).</summary>
    private static (List<OutboundRecord> Told, List<string> Receivers) Outcomes(IReadOnlyList<OutboundRecord> outbound)
    {
        var told = outbound.Where(o => o.Action == "reaction-outcome").ToList();
        // checkout-api-5xx routes to the on-call (PagerDuty) only (the sample config; the team hears of its SLO).
        return (told, ["oncall"]);
    }

    private static string TextOf(OutboundRecord record) => record.Channel switch
    {
        "pagerduty" => record.Payload.GetProperty("payload").GetProperty("summary").GetString()!,
        "slack" => record.Payload.GetProperty("text").GetString()!,
        _ => record.Payload.GetRawText(),
    };

    [Fact]
    public async Task Outcome_WhenAnEventIsPut_ShouldBeToldOnceToEachOfTheAlertsReceiversAsSucceeded()
    {
        var (outbound, parked, _, err) = await RunAsync($$$"""
              - name: restart-checkout
                match: { alarmName: checkout-api-5xx }
                action: { eventBridge: { eventBusArn: "{{{Bus}}}", detailType: Restart service } }
            """);

        var react = Assert.Single(outbound, o => o.Action == "react");
        var (told, receivers) = Outcomes(outbound);
        Assert.True(told.Count > 0, err);
        Assert.Equal(receivers, told.Select(t => t.Receiver).Order(StringComparer.Ordinal).ToList());
        Assert.All(told, t => Assert.Equal($"auto-reaction restart-checkout succeeded (execution {react.DedupKey}) for checkout-api-5xx", TextOf(t)));
        Assert.All(told, t => Assert.True(t.At >= react.At));
        // PagerDuty hears it as a change event: no event_action, no dedup_key, so it never pages or reopens anything.
        var pagerDuty = Assert.Single(told, t => t.Channel == "pagerduty");
        Assert.False(pagerDuty.Payload.TryGetProperty("event_action", out _));
        Assert.False(pagerDuty.Payload.TryGetProperty("dedup_key", out _));
        Assert.Equal("succeeded", pagerDuty.Payload.GetProperty("payload").GetProperty("custom_details").GetProperty("outcome").GetString());
        Assert.Empty(parked);
        Assert.Contains("reaction restart-checkout (", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outcome_WhenARedriveCompletes_ShouldTellHowManyMessagesSqsMoved()
    {
        var (outbound, _, _, err) = await RunAsync($$$"""
              - name: redrive-orders
                match: { alarmName: checkout-api-5xx }
                on: resolved
                action: { sqsRedrive: { sourceArn: "{{{Dlq}}}" } }
            """, resolve: true);

        var react = Assert.Single(outbound, o => o.Action == "react");
        var (told, receivers) = Outcomes(outbound);
        Assert.True(told.Select(t => t.Receiver).Order(StringComparer.Ordinal).SequenceEqual(receivers), err);
        Assert.All(told, t => Assert.Equal($"auto-reaction redrive-orders succeeded: moved 3 message(s) (execution {react.DedupKey}) for checkout-api-5xx", TextOf(t)));
        // Asked of SQS at the first tick a minute after it started, by the Tick's own role.
        Assert.All(told, t => Assert.True(t.At >= react.At.AddMinutes(1), $"{t.At} vs {react.At}"));
    }

    [Fact]
    public async Task Outcome_WhenTheFunctionFails_ShouldTellItsErrorOnceAndNotRunItAgainNorParkIt()
    {
        var (outbound, parked, _, err) = await RunAsync($$$"""
              - name: restart-orders
                match: { alarmName: checkout-api-5xx }
                action: { lambda: { functionArn: "{{{Function}}}" } }
            """, stack => stack.Reactions.Script("restart-orders", ReactionEnd.Fails("ServiceUnavailable", "ECS refused the deployment")));

        var react = Assert.Single(outbound, o => o.Action == "react");
        var (told, receivers) = Outcomes(outbound);
        Assert.True(told.Select(t => t.Receiver).Order(StringComparer.Ordinal).SequenceEqual(receivers), err);
        Assert.All(told, t => Assert.Equal($"auto-reaction restart-orders failed: ServiceUnavailable: ECS refused the deployment (execution {react.DedupKey}) for checkout-api-5xx", TextOf(t)));
        Assert.DoesNotContain(parked, p => p.Queue == LocalStack.FailedDeliveryQueueUrl);
    }

    [Fact]
    public async Task Outcome_WhenTheFunctionGivesNoAnswer_ShouldTellItTimedOut()
    {
        var (outbound, _, _, err) = await RunAsync($$$"""
              - name: restart-orders
                match: { alarmName: checkout-api-5xx }
                action: { lambda: { functionArn: "{{{Function}}}" } }
            """, stack => stack.Reactions.Script("restart-orders", ReactionEnd.Hangs));

        var (told, receivers) = Outcomes(outbound);
        Assert.True(told.Select(t => t.Receiver).Order(StringComparer.Ordinal).SequenceEqual(receivers), err);
        Assert.All(told, t => Assert.StartsWith("auto-reaction restart-orders timed out: no answer within 60 s (execution restart-orders-", TextOf(t), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outcome_WhenAnAutomationNeverEnds_ShouldBeAskedOfSsmEachMinuteThenToldTimedOutAtItsDeadline()
    {
        var (outbound, _, summary, err) = await RunAsync("""
              - name: restart-host
                match: { alarmName: checkout-api-5xx }
                outcomeWithin: 5m
                action: { ssmAutomation: { documentName: AWS-RestartEC2Instance, parameters: { InstanceId: "i-0abc" } } }
            """, stack => stack.Reactions.Script("restart-host", ReactionEnd.Hangs));

        var react = Assert.Single(outbound, o => o.Action == "react");
        var (told, receivers) = Outcomes(outbound);
        Assert.True(told.Select(t => t.Receiver).Order(StringComparer.Ordinal).SequenceEqual(receivers), err);
        var deadline = react.At.AddMinutes(5);
        Assert.All(told, t => Assert.Equal($"auto-reaction restart-host timed out: no outcome by {deadline.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z (execution {react.DedupKey}) for checkout-api-5xx", TextOf(t)));
        Assert.All(told, t => Assert.True(t.At >= deadline));
        Assert.Empty(summary.AccessDenials);
    }

    [Fact]
    public async Task Outcome_WhenAnAutomationFails_ShouldTellSsmsFailureMessage()
    {
        var (outbound, _, _, err) = await RunAsync("""
              - name: restart-host
                match: { alarmName: checkout-api-5xx }
                action: { ssmAutomation: { documentName: AWS-RestartEC2Instance, parameters: { InstanceId: "i-0abc" } } }
            """, stack => stack.Reactions.Script("restart-host", ReactionEnd.Fails("Failed", "Step fails when it is stopping the instance")));

        var (told, receivers) = Outcomes(outbound);
        Assert.True(told.Select(t => t.Receiver).Order(StringComparer.Ordinal).SequenceEqual(receivers), err);
        Assert.All(told, t => Assert.StartsWith("auto-reaction restart-host failed: Step fails when it is stopping the instance (execution restart-host-", TextOf(t), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outcome_WhenTheReactionNeverStarts_ShouldBeParkedAndToldOnceThatItDidNotStart()
    {
        var (outbound, parked, _, err) = await RunAsync($$$"""
              - name: restart-checkout
                match: { alarmName: checkout-api-5xx }
                action: { eventBridge: { eventBusArn: "{{{Bus}}}", detailType: Restart service } }
            """, stack => stack.Faults.Always("restart-checkout", new ReceiverAnswer(500)));

        Assert.DoesNotContain(outbound, o => o.Action == "react");
        Assert.Single(parked, p => p.Queue == LocalStack.FailedDeliveryQueueUrl);
        var (told, receivers) = Outcomes(outbound);
        Assert.True(told.Select(t => t.Receiver).Order(StringComparer.Ordinal).SequenceEqual(receivers), err);
        Assert.All(told, t => Assert.StartsWith("auto-reaction restart-checkout failed: it did not start (States.TaskFailed: events:PutEvents answered 500 (injected)); the request is parked in the failed-delivery queue (opsctl failed)", TextOf(t), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outcome_WhenTheStateMachineFails_ShouldArriveAsItsStatusChangeEventAndBeToldWithItsError()
    {
        var (outbound, _, summary, err) = await RunAsync($$$"""
              - name: failover-orders
                match: { alarmName: checkout-api-5xx }
                action: { stepFunctions: { stateMachineArn: "{{{Machine}}}" } }
            """, stack => stack.Reactions.Script("failover-orders", ReactionEnd.Fails("FailoverRefused", "replica lag 40 s")));

        var react = Assert.Single(outbound, o => o.Action == "react");
        var (told, receivers) = Outcomes(outbound);
        Assert.True(told.Select(t => t.Receiver).Order(StringComparer.Ordinal).SequenceEqual(receivers), err);
        Assert.All(told, t => Assert.Equal($"auto-reaction failover-orders failed: FailoverRefused: replica lag 40 s (execution {react.DedupKey}) for checkout-api-5xx", TextOf(t)));
        // The status change came through the pipeline as an event of its own (its rule, its role), recorded by Decide.
        Assert.Contains($"aws.states event: reaction run {react.DedupKey} FAILED: recorded; the next tick tells the alert's receivers", err, StringComparison.Ordinal);
        Assert.Empty(summary.AccessDenials);
    }

    [Fact]
    public async Task Outcome_WhenTheStateMachineSucceeds_ShouldBeToldOnceEvenIfItsEventComesTwice()
    {
        var (outbound, _, _, err) = await RunAsync($$$"""
              - name: failover-orders
                match: { alarmName: checkout-api-5xx }
                action: { stepFunctions: { stateMachineArn: "{{{Machine}}}" } }
            """, stack => stack.Reactions.Script("failover-orders", ReactionEnd.Succeeds with { Duplicated = true }));

        var react = Assert.Single(outbound, o => o.Action == "react");
        var (told, receivers) = Outcomes(outbound);
        Assert.True(told.Select(t => t.Receiver).Order(StringComparer.Ordinal).SequenceEqual(receivers), err);
        Assert.All(told, t => Assert.Equal($"auto-reaction failover-orders succeeded (execution {react.DedupKey}) for checkout-api-5xx", TextOf(t)));
        // EventBridge delivered the status change twice: the second finds the run's end recorded, and changes nothing.
        Assert.Contains($"aws.states event: reaction run {react.DedupKey} SUCCEEDED: recorded;", err, StringComparison.Ordinal);
        Assert.Contains($"aws.states event: execution {react.DedupKey} SUCCEEDED: no reaction run of this pipeline waits for it", err, StringComparison.Ordinal);
    }
}
