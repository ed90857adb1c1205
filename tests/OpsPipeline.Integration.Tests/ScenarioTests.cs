using System.Text.Json;
using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// The alert semantics as incidents, each replayed through `opsctl local --clock event`: the real ASL, the real
/// handlers, dynalite, and the Tick at every minute boundary. Each asserts the exact deliveries.
/// </summary>
[Trait("Category", "Integration")]
public class ScenarioTests
{
    private const string Checkout = "123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx";

    [Fact]
    public async Task AlarmStorm_When20CopiesOfOneEventArriveAtOnce_ShouldPageExactlyOnce()
    {
        var alarm = StateChange("checkout-api-5xx", "ALARM", T0, id: "5bd3b1b0-3c1d-4d0e-9a39-4a3c9c1b7a01");
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = new ManualClock(T0) });

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => stack.ExecuteAsync(alarm)));

        Assert.All(outcomes, o => Assert.Equal("SUCCEEDED", o.Status));
        var page = Assert.Single(stack.Outbound);
        Assert.Equal(("oncall", "trigger"), (page.Receiver, page.Action));
        var decisions = outcomes.Select(o => o.Output!.Value.GetProperty("decision").GetString()).ToList();
        Assert.Equal(1, decisions.Count(d => d == "notify"));
        Assert.Equal(19, decisions.Count(d => d == "duplicate"));
    }

    [Fact]
    public async Task OutOfOrder_WhenAnOlderTransitionArrivesLate_ShouldRecordItAndNeverNotify()
    {
        var (summary, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(10), previous: "ALARM"),
            // Delivered late: the alarm's own timestamp says it happened before the OK.
            StateChange("checkout-api-5xx", "ALARM", T0.AddMinutes(5)),
        ]);

        Assert.Equal(["trigger", "resolve"], outbound.Select(o => o.Action));
        Assert.Equal(1, summary.Decisions["stale"]);
        Assert.Contains("stale: ALARM at 2026-03-02T09:05:00Z is older than stored OK at 2026-03-02T09:10:00Z", err);
    }

    [Fact]
    public async Task OutOfOrder_WhenOkArrivesBeforeItsAlarm_ShouldSendNothing()
    {
        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(4), previous: "ALARM"),
            StateChange("checkout-api-5xx", "ALARM", T0),
        ]);

        Assert.True(outbound.Count == 0, err);
    }

    [Fact]
    public async Task Flapping_When10ChangesIn20Minutes_ShouldSendThreeNotificationsOneFlappingNoticeThenOneWhenStable()
    {
        var events = Enumerable.Range(0, 10)
            .Select(i => StateChange("checkout-api-5xx", i % 2 == 0 ? "ALARM" : "OK", T0.AddMinutes(2 * i), previous: i % 2 == 0 ? "OK" : "ALARM"))
            .Append(StateChange("billing-export-lag", "OK", T0.AddMinutes(60))) // only moves the clock past the stable window
            .ToList();

        var (_, outbound, _, err) = await TestConfig.RunAsync(events);

        var pages = outbound.Where(o => o.AlertKey == Checkout).Select(o => o.Action).ToList();
        // trigger, resolve, trigger; the 4th change within 30m is the flapping notice; then quiet; last change (OK)
        // at 09:18, stable by 09:48: one notification of where it settled.
        Assert.True(pages.SequenceEqual(["trigger", "resolve", "trigger", "flapping", "resolve"]), string.Join(",", pages) + "\n" + err);
        Assert.Contains("flapping: quiet until stable for 30m", err);
    }

    [Fact]
    public async Task Inhibition_WhenCapabilityFires_ShouldSuppressItsThreeComponentsAndNotifyThemWhenItResolves()
    {
        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("checkout-capability", "ALARM", T0),
            StateChange("checkout-api-5xx", "ALARM", T0.AddMinutes(1)),
            StateChange("checkout-db-latency", "ALARM", T0.AddMinutes(2)),
            StateChange("checkout-queue-age", "ALARM", T0.AddMinutes(3)),
            StateChange("checkout-capability", "OK", T0.AddMinutes(20), previous: "ALARM"),
        ]);

        var pages = outbound.Where(o => o.Receiver == "oncall").Select(o => (Name: o.AlertKey[(o.AlertKey.LastIndexOf(':') + 1)..], o.Action)).ToList();
        Assert.Equal(("checkout-capability", "trigger"), pages[0]);
        Assert.Equal(("checkout-capability", "resolve"), pages[1]);
        // The components were held while the capability fired and go out at the next tick after it resolved.
        Assert.Equal(["checkout-api-5xx", "checkout-db-latency", "checkout-queue-age"], pages.Skip(2).Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(pages.Skip(2), p => Assert.Equal("trigger", p.Action));
        Assert.Equal(5, pages.Count);
        Assert.Contains("suppressed: inhibited by checkout-capability", err);
    }

    [Fact]
    public async Task Grouping_WhenFiveAlarmsOfOneServiceFireWithinGroupWait_ShouldSendOneDigest()
    {
        var config = TestConfig.Inline("""
            alarms:
              - match: { alarmName: "~^search-" }
                labels: { service: search, severity: warning }
            receivers:
              - name: team
                slack: { webhookUrlParameter: /ops/slack/team }
            route:
              receiver: team
              groupBy: [service]
              groupWait: 30s
            """);
        var names = new[] { "search-api-5xx", "search-api-latency", "search-indexer-lag", "search-queue-age", "search-cache-misses" };

        var (summary, outbound, _, err) = await TestConfig.RunAsync(names.Select((n, i) => StateChange(n, "ALARM", T0.AddSeconds(5 * i))), config);

        var digest = Assert.Single(outbound);
        Assert.Equal(("team", "slack", "digest"), (digest.Receiver, digest.Channel, digest.Action));
        var text = digest.Payload.GetRawText();
        Assert.All(names, n => Assert.Contains(n, text));
        Assert.Contains("5 alerts firing", text);
        Assert.Equal(5, summary.Decisions["grouped"]);
        Assert.True(summary.ExecutionsFailed == 0, err);
    }

    [Fact]
    public async Task Repeat_WhenStillFiringAfterRepeatInterval_ShouldRemindOncePerInterval()
    {
        var config = TestConfig.Inline("""
            defaults:
              repeatInterval: 1h
            receivers:
              - name: team
                slack: { webhookUrlParameter: /ops/slack/team }
            route:
              receiver: team
              groupWait: 0s
            """);

        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("orders-queue-age", "ALARM", T0),
            StateChange("unrelated-alarm", "OK", T0.AddMinutes(150)), // moves the clock 2.5 hours on
        ], config);

        Assert.True(outbound.Select(o => o.Action).SequenceEqual(["trigger", "repeat", "repeat"]), err);
    }

    [Fact]
    public async Task HotPath_WhenEventsArrive_ShouldCostAtMostTwoDynamoDbRequestsEach()
    {
        // 30 events, 10 alarms x (ALARM, duplicate, OK), no inhibition sources involved: one read + one write each.
        var events = Enumerable.Range(0, 10).SelectMany(i =>
        {
            var id = Guid.NewGuid().ToString();
            var at = T0.AddSeconds(i);
            return new[]
            {
                StateChange($"orders-step-{i}", "ALARM", at, id: id),
                StateChange($"orders-step-{i}", "ALARM", at, id: id),
                StateChange($"orders-step-{i}", "OK", at.AddSeconds(20), previous: "ALARM"),
            };
        }).ToList();
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = new ManualClock(T0) });
        await stack.ExecuteAsync(events[0]); // warms the silence cache (one Query per 30 s per container)
        stack.DynamoCounter.Reset();

        foreach (var e in events.Skip(1))
        {
            Assert.Equal("SUCCEEDED", (await stack.ExecuteAsync(e)).Status);
        }

        var byOperation = stack.DynamoCounter.ByOperation;
        Assert.True(stack.DynamoCounter.Total <= 2 * (events.Count - 1), JsonSerializer.Serialize(byOperation));
        // One read each: a GetItem, or a BatchGetItem where the alert's state comes with its groups' last notices.
        Assert.Equal(events.Count - 1, byOperation.GetValueOrDefault("GetItem") + byOperation.GetValueOrDefault("BatchGetItem"));
    }
}
