using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>Dedupe, order, resolve and drills: EventBridge redelivers and reorders; we notify each transition once.</summary>
public class DecideOrderingTests
{
    private const string Billing = "billing-api-5xx";

    private const string Checkout = "checkout-api-5xx";

    [Fact]
    public void Decide_WhenSameEventIdArrivesTwice_ShouldChangeNothing()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply(Billing, "ALARM", T0, id: "evt-1");
        var stored = run.State(Billing);

        var again = run.Apply(Billing, "ALARM", T0, id: "evt-1", receivedAt: T0.AddSeconds(40));

        Assert.Equal(DecisionKinds.Duplicate, again.Decision);
        Assert.Equal("duplicate: event evt-1 was already applied", again.Reason);
        Assert.Equal(1, run.Writes); // nothing written for the duplicate
        Assert.Empty(again.Deliveries);
        Assert.Same(stored, run.State(Billing));
        Assert.Equal([("team", "trigger", Billing)], run.Deliveries());
    }

    [Fact]
    public void Decide_WhenSameTransitionArrivesWithNewId_ShouldRecordItWithoutNotifying()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply(Billing, "ALARM", T0, id: "evt-1");

        var again = run.Apply(Billing, "ALARM", T0, id: "evt-2", receivedAt: T0.AddSeconds(40));

        Assert.Equal(DecisionKinds.Recorded, again.Decision);
        Assert.Empty(again.Deliveries);
        var state = run.State(Billing)!;
        Assert.Equal("recorded", state.LastDecision);
        Assert.Equal("recorded: transition to ALARM at 2026-03-10T09:00:05Z was already applied (different event id)", state.LastReason);
        Assert.Equal(["evt-1", "evt-2"], state.RecentEventIds);
        Assert.Equal(2, state.Version);
        Assert.Equal([("team", "trigger", Billing)], run.Deliveries());
    }

    [Fact]
    public void Decide_WhenOlderTransitionArrivesLate_ShouldRecordItAsStaleAndNeverNotify()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply(Billing, "ALARM", T0);
        run.Apply(Billing, "OK", T0.AddMinutes(10));

        var late = run.Apply(Billing, "ALARM", T0.AddMinutes(5), id: "evt-late", receivedAt: T0.AddMinutes(11));

        Assert.Equal(DecisionKinds.Stale, late.Decision);
        Assert.Empty(late.Deliveries);
        var state = run.State(Billing)!;
        Assert.Equal(("OK", T0.AddMinutes(10)), (state.State.Wire(), state.StateTimestamp));
        Assert.Equal("stale", state.LastDecision);
        Assert.Equal("stale: ALARM at 2026-03-10T09:05:05Z is older than stored OK at 2026-03-10T09:10:05Z", state.LastReason);
        Assert.Equal("evt-late", state.RecentEventIds[^1]);
        Assert.Equal([("team", "trigger", Billing), ("team", "resolve", Billing)], run.Deliveries());
    }

    [Fact]
    public void Decide_WhenResolveArrivesBeforeItsAlarm_ShouldNotifyNeither()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var ok = run.Apply(Billing, "OK", T0.AddMinutes(10), receivedAt: T0.AddMinutes(10));
        var alarm = run.Apply(Billing, "ALARM", T0, receivedAt: T0.AddMinutes(10).AddSeconds(3));
        run.AdvanceBy(TimeSpan.FromHours(5));

        Assert.Equal((DecisionKinds.Recorded, DecisionKinds.Stale), (ok.Decision, alarm.Decision));
        Assert.Empty(run.Sent);
        Assert.Equal(AlarmState.Ok, run.State(Billing)!.State);
    }

    [Fact]
    public void Decide_WhenAlarmThenOk_ShouldTriggerThenResolveWithTheSameDedupKey()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var trigger = run.Apply(Checkout, "ALARM", T0);
        var resolve = run.Apply(Checkout, "OK", T0.AddMinutes(15));

        Assert.Equal(
            [("oncall", "trigger", Checkout), ("team", "trigger", Checkout), ("oncall", "resolve", Checkout), ("team", "resolve", Checkout)],
            run.Deliveries());
        Assert.Equal("notify: trigger to oncall, team", trigger.Reason);
        Assert.Equal("notify: resolve to oncall, team", resolve.Reason);
        var expectedDedupKey = DedupKeys.For(KeyOf(Checkout));
        Assert.All(run.Sent, s => Assert.Equal(expectedDedupKey, s.Delivery.DedupKey));
        var pagerDuty = run.Sent.Where(s => s.Delivery.Receiver == "oncall").Select(s => s.Delivery.Payload).ToList();
        Assert.Equal(["trigger", "resolve"], pagerDuty.Select(p => p.GetProperty("event_action").GetString()));
        Assert.Equal([expectedDedupKey, expectedDedupKey], pagerDuty.Select(p => p.GetProperty("dedup_key").GetString()));
        var state = run.State(Checkout)!;
        Assert.Equal((DecisionKinds.Notify, "notify: resolve to oncall, team"), (state.LastDecision, state.LastReason));
        Assert.Null(state.DueAt);
    }

    [Theory]
    [InlineData("OK", "recorded: billing-api-5xx is OK and was not notified as firing")]
    [InlineData("INSUFFICIENT_DATA", "recorded: INSUFFICIENT_DATA is neither firing nor resolved")]
    public void Decide_WhenFirstSeenStateIsNotFiring_ShouldRecordAndSendNothing(string state, string reason)
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var decision = run.Apply(Billing, state, T0);
        run.AdvanceBy(TimeSpan.FromHours(5));

        Assert.Equal((DecisionKinds.Recorded, reason), (decision.Decision, decision.Reason));
        Assert.Empty(run.Sent);
        var stored = run.State(Billing)!;
        Assert.Equal((state, DecisionKinds.Recorded, reason), (stored.State.Wire(), stored.LastDecision, stored.LastReason));
        Assert.Null(stored.DueAt);
        Assert.Null(stored.NotifiedStatus);
    }

    [Fact]
    public void Decide_WhenFiringAlertGoesToInsufficientData_ShouldNeitherResolveNorRetrigger()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply(Billing, "ALARM", T0);

        var unknown = run.Apply(Billing, "INSUFFICIENT_DATA", T0.AddMinutes(10));
        var back = run.Apply(Billing, "ALARM", T0.AddMinutes(20));
        var ok = run.Apply(Billing, "OK", T0.AddMinutes(45));

        Assert.Equal("recorded: INSUFFICIENT_DATA is neither firing nor resolved", unknown.Reason);
        Assert.Equal("recorded: billing-api-5xx is already notified as firing", back.Reason);
        Assert.Equal("notify: resolve to team", ok.Reason);
        Assert.Equal([("team", "trigger", Billing), ("team", "resolve", Billing)], run.Deliveries());
    }

    [Fact]
    public void Decide_WhenSendResolvedIsOff_ShouldRecordTheResolveWithoutSending()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate(sendResolved: false));
        run.Apply(Checkout, "ALARM", T0);

        var ok = run.Apply(Checkout, "OK", T0.AddMinutes(15));
        run.AdvanceBy(TimeSpan.FromHours(5));

        Assert.Equal((DecisionKinds.Recorded, "recorded: resolved (sendResolved is off)"), (ok.Decision, ok.Reason));
        Assert.Equal([("oncall", "trigger", Checkout), ("team", "trigger", Checkout)], run.Deliveries());
        Assert.Null(run.State(Checkout)!.DueAt);
    }

    [Theory]
    [InlineData("ALARM", "trigger", "oncall trigger, team trigger")]
    [InlineData("OK", "resolve", "oncall resolve, team resolve")]
    public void Decide_WhenEventIsReplayed_ShouldSendOnlyToTheDrillReceiverAndLeaveProductionStateAlone(string state, string action, string production)
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply(Checkout, "ALARM", T0);
        var stored = run.State(Checkout);
        if (state == "OK")
        {
            // The drill replays the incident in order: its resolve follows its own trigger.
            run.Apply(run.Alert(Checkout, "ALARM", T0.AddMinutes(-40), id: "replayed-0", receivedAt: T0.AddMinutes(1), replayName: "gameday-1"));
        }

        var drill = run.Apply(run.Alert(Checkout, state, T0.AddMinutes(-30), id: "replayed-1", receivedAt: T0.AddMinutes(1), replayName: "gameday-1"));

        var delivery = Assert.Single(drill.Deliveries);
        Assert.Equal(("drills", action, true), (delivery.Receiver, delivery.Action, delivery.Drill));
        Assert.DoesNotContain(run.SourceUpdates, u => u.At == T0.AddMinutes(-30));
        Assert.Equal(production, string.Join(", ", run.Reports.Drills[^1].WouldSend.Select(d => $"{d.Receiver} {d.Action}")));
        Assert.Same(stored, run.State(Checkout));
        Assert.Equal([("oncall", "trigger", Checkout), ("team", "trigger", Checkout)], run.Deliveries("decide"));
        Assert.All(run.Sent.Where(s => s.By == "drill"), s => Assert.Equal(("drills", true), (s.Delivery.Receiver, s.Delivery.Drill)));
    }

    [Fact]
    public void Decide_WhenReplayedEventIsInsufficientData_ShouldSendNothing()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var drill = run.Apply(run.Alert(Checkout, "INSUFFICIENT_DATA", T0, replayName: "gameday-1"));

        Assert.Empty(drill.Deliveries);
        Assert.Empty(run.Sent);
        Assert.Null(run.State(Checkout));
    }
}
