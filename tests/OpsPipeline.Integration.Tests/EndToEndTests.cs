using System.Text.Json;
using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// Alarm in, notification out, through the real ASL on aws-local-stepfunctions, the real handlers,
/// and dynalite. Each test starts its own local stack.
/// </summary>
[Trait("Category", "Integration")]
public class EndToEndTests
{
    [Fact]
    public async Task AlarmThenOk_WhenCriticalCheckoutAlarm_ShouldTriggerThenResolvePagerDutyWithSameDedupKey()
    {
        var (summary, outbound, parked, err) = await TestConfig.RunAsync(
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(12), previous: "ALARM"),
        ]);

        var pages = outbound.Where(o => o.Channel == "pagerduty").ToList();
        Assert.True(pages.Count == 2, err);
        Assert.Equal(["trigger", "resolve"], pages.Select(p => p.Action));
        Assert.Equal("trigger", pages[0].Payload.GetProperty("event_action").GetString());
        Assert.Equal("resolve", pages[1].Payload.GetProperty("event_action").GetString());
        var dedup = pages[0].Payload.GetProperty("dedup_key").GetString();
        Assert.Equal(dedup, pages[1].Payload.GetProperty("dedup_key").GetString());
        Assert.Equal("123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx", dedup);
        Assert.Equal(LocalStack.LocalRoutingKey("oncall"), pages[0].Payload.GetProperty("routing_key").GetString());
        Assert.Equal("critical", pages[0].Payload.GetProperty("payload").GetProperty("severity").GetString());
        Assert.Empty(parked);
        Assert.Equal(2, summary.Decisions["notify"]);
    }

    [Fact]
    public async Task SameEvent_WhenDeliveredTwice_ShouldNotifyOnce()
    {
        var alarm = StateChange("checkout-api-5xx", "ALARM", T0, id: "7bf73129-1428-4cd3-a780-95db273d1602");

        var (summary, outbound, _, err) = await TestConfig.RunAsync([alarm, alarm]);

        Assert.True(outbound.Count(o => o.Receiver == "oncall") == 1, err);
        Assert.Equal(1, summary.Decisions["notify"]);
        Assert.Equal(1, summary.Decisions["duplicate"]);
    }

    [Fact]
    public async Task Receiver_WhenItFailsTwiceWith500ThenAccepts_ShouldBeRetriedAndDeliveredOnce()
    {
        var (summary, outbound, parked, err) = await TestConfig.RunAsync(
            [StateChange("checkout-api-5xx", "ALARM", T0)],
            prepare: stack => stack.Faults.Script("oncall", new ReceiverAnswer(500), new ReceiverAnswer(500)));

        var page = Assert.Single(outbound, o => o.Receiver == "oncall");
        Assert.Equal("trigger", page.Action);
        // Deliver three times (two 500s, then accepted). The continue route is the only match.
        Assert.Equal(3, summary.InvocationsByFunction["ops-deliver"]);
        Assert.True(parked.Count == 0, err);
    }

    [Fact]
    public async Task Receiver_WhenItAlwaysFails_ShouldParkTheDeliveryWithTheAlertIntact()
    {
        var (summary, outbound, parked, err) = await TestConfig.RunAsync(
            [StateChange("checkout-api-5xx", "ALARM", T0)],
            prepare: stack => stack.Faults.Always("oncall", new ReceiverAnswer(503)));

        Assert.DoesNotContain(outbound, o => o.Receiver == "oncall");
        var failed = Assert.Single(parked, p => p.Queue == LocalStack.FailedDeliveryQueueUrl);
        using var body = JsonDocument.Parse(failed.Body);
        var root = body.RootElement;
        Assert.Equal("oncall", root.GetProperty("receiver").GetString());
        Assert.Equal("trigger", root.GetProperty("action").GetString());
        Assert.Equal("pagerduty", root.GetProperty("channel").GetString());
        Assert.Contains("checkout-api-5xx", root.GetProperty("payload").GetProperty("payload").GetProperty("summary").GetString());
        Assert.Equal("TransientDeliveryException", root.GetProperty("error").GetProperty("Error").GetString());
        Assert.Contains("HTTP 503", root.GetProperty("error").GetProperty("Cause").GetString());
        Assert.Equal(1, summary.FailedDeliveriesParked);
        Assert.True(summary.ExecutionsFailed == 0, err);
    }

    [Fact]
    public async Task Receiver_WhenItRejectsWith400_ShouldParkAtOnceWithoutRetrying()
    {
        var (summary, _, parked, _) = await TestConfig.RunAsync(
            [StateChange("checkout-api-5xx", "ALARM", T0)],
            prepare: stack => stack.Faults.Always("oncall", new ReceiverAnswer(400)));

        var failed = Assert.Single(parked, p => p.Queue == LocalStack.FailedDeliveryQueueUrl);
        using var body = JsonDocument.Parse(failed.Body);
        Assert.Equal("PermanentDeliveryException", body.RootElement.GetProperty("error").GetProperty("Error").GetString());
        // Deliver once: a permanent rejection is not retried.
        Assert.Equal(1, summary.InvocationsByFunction["ops-deliver"]);
    }

    [Fact]
    public async Task BadEvent_WhenMixedWithGoodOnes_ShouldBeRejectedByFieldAndParkedWithoutAffectingOthers()
    {
        var bad = StateChange("checkout-api-5xx", "ALARM", T0).Replace("\"alarmName\":\"checkout-api-5xx\",", string.Empty, StringComparison.Ordinal);

        var (summary, outbound, parked, err) = await TestConfig.RunAsync(
        [
            bad,
            StateChange("checkout-api-5xx", "ALARM", T0.AddMinutes(1)),
        ]);

        Assert.Equal(1, summary.Rejected);
        Assert.Contains("detail.alarmName", err);
        var parkedEvent = Assert.Single(parked, p => p.Queue == LocalStack.ParkedEventQueueUrl);
        Assert.Contains("detail.alarmName", parkedEvent.Body);
        Assert.Contains("CloudWatch Alarm State Change", parkedEvent.Body);
        Assert.Single(outbound, o => o.Receiver == "oncall" && o.Action == "trigger");
    }

    [Fact]
    public async Task Receiver_WhenRateLimitedWithAShortRetryAfter_ShouldWaitWhatItAskedAndDeliverInTheSameAttempt()
    {
        var started = DateTimeOffset.UtcNow;
        var (summary, outbound, parked, err) = await TestConfig.RunAsync(
            [StateChange("checkout-api-5xx", "ALARM", T0)],
            prepare: stack => stack.Faults.Script("oncall", new ReceiverAnswer(429, RetryAfter: TimeSpan.FromSeconds(1))));

        Assert.Single(outbound, o => o.Receiver == "oncall");
        Assert.True(parked.Count == 0, err);
        // One Deliver invocation: the wait happened inside it, as the receiver asked, not on the state machine's backoff.
        Assert.Equal(1, summary.InvocationsByFunction["ops-deliver"]);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Receiver_WhenItAsksToWaitLongerThanAnExecutionMayLast_ShouldGetTheDeliveryFromTheFirstTickAfterTheWait()
    {
        // 10 minutes: far past the execution's 290 s timeout, so no execution may wait it out.
        var (summary, outbound, parked, err) = await TestConfig.RunAsync(
            [StateChange("checkout-api-5xx", "ALARM", T0)],
            prepare: stack => stack.Faults.Script("oncall", new ReceiverAnswer(429, RetryAfter: TimeSpan.FromMinutes(10))));

        var page = Assert.Single(outbound, o => o.Receiver == "oncall");
        Assert.Equal("trigger", page.Action);
        Assert.True(parked.Count == 0, err);
        Assert.Equal(0, summary.ExecutionsFailed);
        // Two Deliver invocations: the first deferred the delivery to the table, the tick's sent it.
        Assert.Equal(2, summary.InvocationsByFunction["ops-deliver"]);
        // Sent by the first tick at or after 09:10 (the event came at 09:00 and the receiver asked for 10 minutes).
        var sent = err.IndexOf("deferred trigger to oncall", StringComparison.Ordinal);
        Assert.True(sent > 0, err);
        var sentBy = err[..sent].Split('\n').Last(l => l.StartsWith("tick ", StringComparison.Ordinal));
        Assert.StartsWith("tick 2026-03-02T09:10Z", sentBy);
    }

    [Fact]
    public async Task Receiver_WhenItAsksToWaitLongerThanAnHourEveryTime_ShouldBeDeferredAtMostFiveTimesThenParked()
    {
        var answers = Enumerable.Repeat(new ReceiverAnswer(429, RetryAfter: TimeSpan.FromHours(3)), 20).ToArray();
        var (summary, outbound, parked, err) = await TestConfig.RunAsync(
            [StateChange("checkout-api-5xx", "ALARM", T0)],
            prepare: stack => stack.Faults.Script("oncall", answers));

        Assert.DoesNotContain(outbound, o => o.Receiver == "oncall");
        // Nothing lost: after five deferrals of an hour each (the longest wait honoured), the retries ran out and it was parked.
        var failed = Assert.Single(parked, p => p.Queue == LocalStack.FailedDeliveryQueueUrl);
        Assert.Contains("TransientDeliveryException", failed.Body);
        Assert.Contains("\"deferrals\":5", failed.Body);
        Assert.Equal(0, summary.ExecutionsFailed);
    }
}
