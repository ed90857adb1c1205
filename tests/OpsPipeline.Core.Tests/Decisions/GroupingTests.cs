using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>groupWait: the first alert of a group waits; everything that joins goes out as one digest from the Tick.</summary>
public class GroupingTests
{
    private const string CheckoutGroup = "root:{service=\"checkout\"}";

    private static readonly string[] Storm = ["checkout-api-5xx", "checkout-db-errors", "checkout-queue-age", "checkout-cart-latency", "checkout-pay-timeouts"];

    private static readonly DateTimeOffset FirstTick = new(2026, 3, 10, 9, 1, 0, TimeSpan.Zero);

    [Fact]
    public void Tick_WhenFiveAlarmsOfOneServiceFireWithinGroupWait_ShouldSendOneDigestOfFive()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());

        var decisions = Storm.Select((name, i) => run.Apply(name, "ALARM", T0.AddSeconds(5 * i))).ToList();
        run.AdvanceBy(TimeSpan.FromMinutes(10));

        Assert.All(decisions, d => Assert.Equal(DecisionKinds.Grouped, d.Decision));
        Assert.Equal("grouped: held for hook until 2026-03-10T09:00:35Z", decisions[0].Reason);
        var digest = Assert.Single(run.Sent);
        Assert.Equal(("tick", "hook", "digest", CheckoutGroup, FirstTick), (digest.By, digest.Delivery.Receiver, digest.Delivery.Action, digest.Delivery.AlertKey, digest.At));
        Assert.Equal(5, digest.Delivery.Payload.GetProperty("count").GetInt32());
        Assert.Equal(Storm.Order(StringComparer.Ordinal), digest.Delivery.Payload.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(Storm, name =>
        {
            var state = run.State(name)!;
            Assert.Empty(state.Pending);
            Assert.Equal((DecisionKinds.Notify, $"notify: sent with group {CheckoutGroup} to hook"), (state.LastDecision, state.LastReason));
        });
    }

    [Fact]
    public void Decide_WhenRouteHasNoGroupWait_ShouldSendAtOnce()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());

        var decision = run.Apply("search-api-latency", "ALARM", T0);

        Assert.Equal("notify: trigger to team", decision.Reason);
        Assert.Equal([("decide", T0)], run.Sent.Select(s => (s.By, s.At)));
        Assert.Equal([("team", "trigger", "search-api-latency")], run.Deliveries());
    }

    [Fact]
    public void Decide_WhenAlertResolvesBeforeItsGroupFlushes_ShouldNeverSendItNorItsResolve()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());
        run.Apply(Storm[0], "ALARM", T0);
        run.Apply(Storm[1], "ALARM", T0.AddSeconds(5));
        run.Apply(Storm[2], "ALARM", T0.AddSeconds(10));

        var ok = run.Apply(Storm[0], "OK", T0.AddSeconds(20));
        run.AdvanceBy(TimeSpan.FromMinutes(10));

        Assert.Equal((DecisionKinds.Recorded, "recorded: checkout-api-5xx resolved within its group wait; nothing had been sent"), (ok.Decision, ok.Reason));
        var digest = Assert.Single(run.Sent);
        Assert.Equal(("hook", "digest", 2), (digest.Delivery.Receiver, digest.Delivery.Action, digest.Delivery.Payload.GetProperty("count").GetInt32()));
        Assert.Equal([Storm[1], Storm[2]], digest.Delivery.Payload.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.Null(run.State(Storm[0])!.DueAt);
    }

    [Fact]
    public void Tick_WhenGroupedReceiverIsPagerDuty_ShouldSendOneTriggerPerAlert()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());
        string[] payments = ["payments-api-5xx", "payments-ledger-lag", "payments-webhook-errors"];

        foreach (var (name, i) in payments.Select((n, i) => (n, i)))
        {
            run.Apply(name, "ALARM", T0.AddSeconds(3 * i));
        }

        run.AdvanceBy(TimeSpan.FromMinutes(5));

        Assert.Equal(payments.Select(p => ("oncall", "trigger", p)), run.Deliveries("tick"));
        Assert.Equal(payments.Select(p => DedupKeys.For(KeyOf(p))), run.Sent.Select(s => s.Delivery.DedupKey));
        Assert.All(run.Sent, s => Assert.Equal(FirstTick, s.At));
    }

    [Fact]
    public void Tick_WhenAlertJoinsAfterTheGroupFlushed_ShouldSendItWithTheNextFlush()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());
        run.Apply(Storm[0], "ALARM", T0);
        run.Apply(Storm[1], "ALARM", T0.AddSeconds(5));
        run.Apply(Storm[2], "ALARM", T0.AddSeconds(70));
        run.AdvanceBy(TimeSpan.FromMinutes(5));

        // The group was notified at 09:01: the newcomer joins its next update, a group interval (5m) later, not its own
        // group wait (issue 16, Alertmanager's group lifecycle); that update is a digest, as the first two still fire.
        Assert.Equal([("hook", "digest", CheckoutGroup), ("hook", "digest", CheckoutGroup)], run.Deliveries("tick"));
        Assert.Equal([FirstTick, FirstTick.AddMinutes(5)], run.Sent.Select(s => s.At));
    }

    [Fact]
    public void Tick_WhenCapabilityJoinsItsComponentsWithinGroupWait_ShouldSendOnlyTheCapability()
    {
        // The alarm storm: components fire first, their capability a few seconds later, all inside one group wait.
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());
        foreach (var (name, i) in Storm.Take(3).Select((n, i) => (n, i)))
        {
            run.Apply(name, "ALARM", T0.AddSeconds(5 * i));
        }

        run.Apply("checkout-capability", "ALARM", T0.AddSeconds(15));
        run.AdvanceBy(TimeSpan.FromMinutes(5));

        Assert.Equal([("hook", "trigger", "checkout-capability")], run.Deliveries());
        Assert.All(Storm.Take(3), name => Assert.Equal(
            (DecisionKinds.Suppressed, "suppressed: inhibited by checkout-capability"),
            (run.State(name)!.LastDecision, run.State(name)!.LastReason)));

        run.Apply("checkout-capability", "OK", T0.AddMinutes(10));
        run.AdvanceBy(TimeSpan.FromMinutes(5));

        // Released together when their source resolves, the components join their group's flush, and the capability's
        // resolve joins it too: one update of the group, three firing and one resolved (issue 16).
        Assert.Equal([("hook", "trigger", "checkout-capability"), ("hook", "digest", "root:{service=\"checkout\"}")], run.Deliveries());
        var update = run.Sent[^1].Delivery.Payload.GetProperty("alerts").EnumerateArray().Select(a => (a.GetProperty("name").GetString(), a.GetProperty("status").GetString())).ToList();
        Assert.Equal([("checkout-api-5xx", "firing"), ("checkout-capability", "resolved"), ("checkout-db-errors", "firing"), ("checkout-queue-age", "firing")], update.OrderBy(a => a.Item1));
    }

    [Fact]
    public void Decide_WhenAGroupsAlertsResolveWithinItsGroupInterval_ShouldTellItOnceAsOneUpdate()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());
        foreach (var (name, i) in Storm.Take(3).Select((n, i) => (n, i)))
        {
            run.Apply(name, "ALARM", T0.AddSeconds(5 * i));
        }

        run.AdvanceBy(TimeSpan.FromMinutes(2)); // the group's first digest
        foreach (var (name, i) in Storm.Take(3).Select((n, i) => (n, i)))
        {
            run.Apply(name, "OK", T0.AddMinutes(3).AddSeconds(20 * i));
        }

        run.AdvanceBy(TimeSpan.FromMinutes(10));

        // Resolved within one group interval (5m, the default): one update lists all three as resolved, in the group's
        // next update, a group interval after its first (09:01 + 5m → 09:06).
        Assert.Equal([("hook", "digest", "root:{service=\"checkout\"}"), ("hook", "digest", "root:{service=\"checkout\"}")], run.Deliveries());
        var update = run.Sent[1];
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 6, 0, TimeSpan.Zero), update.At);
        Assert.All(update.Delivery.Payload.GetProperty("alerts").EnumerateArray(), a => Assert.Equal("resolved", a.GetProperty("status").GetString()));
        Assert.Equal(3, update.Delivery.Payload.GetProperty("alerts").GetArrayLength());
        Assert.All(Storm.Take(3), name => Assert.Empty(run.State(name)!.Pending));
    }

    [Fact]
    public void Tick_WhenAGroupStillFiresAfterItsRepeatInterval_ShouldRepeatTheGroupOnceNotEachAlert()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped(repeatInterval: "1h"));
        foreach (var (name, i) in Storm.Take(3).Select((n, i) => (n, i)))
        {
            run.Apply(name, "ALARM", T0.AddSeconds(5 * i));
        }

        run.AdvanceBy(TimeSpan.FromMinutes(70));

        // The digest at 09:01, then one reminder of the group in the slot after 10:01 (5m slots: 10:05), listing all three.
        Assert.Equal([("hook", "digest", CheckoutGroup), ("hook", "digest", CheckoutGroup)], run.Deliveries());
        Assert.Equal([FirstTick, new DateTimeOffset(2026, 3, 10, 10, 5, 0, TimeSpan.Zero)], run.Sent.Select(s => s.At));
        Assert.Equal(3, run.Sent[1].Delivery.Payload.GetProperty("alerts").GetArrayLength());
        Assert.False(run.Sent[1].Delivery.Essential); // a reminder: the flood guard may hold it
    }

    [Fact]
    public void Tick_WhenAGroupOfOneStillFires_ShouldSendItsReminderAsARepeat()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped(repeatInterval: "1h"));
        run.Apply(Storm[0], "ALARM", T0);

        run.AdvanceBy(TimeSpan.FromMinutes(70));

        Assert.Equal([("hook", "trigger", Storm[0]), ("hook", "repeat", Storm[0])], run.Deliveries());
    }
}
