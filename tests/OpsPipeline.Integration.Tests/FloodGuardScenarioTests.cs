using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>The page-flood guard in the local stack: a repeat storm on one alarm, and a receiver flooded by many.</summary>
[Trait("Category", "Integration")]
public class FloodGuardScenarioTests
{
    private const string Receivers = """
        receivers:
          - name: oncall
            pagerduty: { routingKeyParameter: /ops/pagerduty/routing-key }
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
        """;

    [Fact]
    public async Task RepeatStorm_WhenAnAlarmRepeatsEveryMinuteForTwoAndAHalfHours_ShouldSendAtMostTenAnHourThenTellOnceAndResolve()
    {
        var config = TestConfig.Inline("defaults:\n  groupWait: 0s\n  repeatInterval: 1m\n" + Receivers + "\nroute:\n  receiver: team\n  groupWait: 0s\n  repeatInterval: 1m\n");

        var (summary, outbound, parked, err) = await TestConfig.RunAsync(
            [StateChange("orders-api-5xx", "ALARM", T0), StateChange("orders-api-5xx", "OK", T0.AddMinutes(150), previous: "ALARM")],
            config);

        var alarm = outbound.Where(o => o.AlertKey.EndsWith(":alarm:orders-api-5xx", StringComparison.Ordinal)).ToList();
        Assert.Equal("trigger", alarm[0].Action);
        Assert.Equal("resolve", alarm[^1].Action);
        // Unguarded, a repeat every minute is 149 repeats; guarded, at most ten an hour over three clock hours.
        var repeats = alarm.Count(o => o.Action == "repeat");
        Assert.True(repeats is >= 20 and <= 29, $"{repeats} repeats\n{err}");
        // What was held is told, not hidden: one summary at first, then at most one a quarter hour.
        var told = outbound.Where(o => o.Action == "flood").ToList();
        Assert.True(told.Count is >= 2 and <= 11, $"{told.Count} flood notices\n{err}");
        Assert.All(told, t => Assert.Contains("held (rate limited)", t.Payload.GetRawText(), StringComparison.Ordinal));
        Assert.Contains("because an alert had sent 10 within the hour", told[0].Payload.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("notify: repeat", err, StringComparison.Ordinal);
        Assert.Contains("held: rate limited (flood guard: more than 10 an hour for this alert)", err, StringComparison.Ordinal);
        Assert.Empty(parked);
        Assert.Equal(0, summary.ExecutionsFailed);
    }

    [Fact]
    public async Task ReceiverFlood_WhenThirtyAlarmsRepeatInOneMinute_ShouldSendTheReceiverAtMostItsCapAndEveryFirstTrigger()
    {
        var config = TestConfig.Inline("defaults:\n  groupWait: 0s\n  repeatInterval: 1m\n  floodGuard: { alertPerHour: 100, receiverPerMinute: { slack: 20 } }\n" + Receivers + "\nroute:\n  receiver: team\n  groupWait: 0s\n  repeatInterval: 1m\n  groupBy: [alarmName]\n");
        var alarms = Enumerable.Range(1, 30).Select(i => StateChange($"shard-{i:00}-errors", "ALARM", T0.AddSeconds(i))).ToList();
        alarms.Add(StateChange("shard-01-errors", "OK", T0.AddMinutes(3), previous: "ALARM"));

        var (summary, outbound, _, err) = await TestConfig.RunAsync(alarms, config);

        // Every first trigger goes out even past the cap (never held) ...
        Assert.Equal(30, outbound.Count(o => o.Action == "trigger"));
        // ... and each minute's 29 or 30 repeats are cut to the 20 the cap leaves: never more, whatever the minute.
        var repeats = outbound.Count(o => o.Action == "repeat");
        Assert.True(repeats >= 40 && repeats % 20 == 0, $"{repeats} repeats in {summary.Ticks} ticks\n{err}");
        // What was held is told once, then at most once a quarter hour.
        var floods = outbound.Where(o => o.Action == "flood").ToList();
        Assert.InRange(floods.Count, 1, 1 + (summary.Ticks / 15));
        Assert.Contains("because team had got 20 within the minute", floods[0].Payload.GetRawText(), StringComparison.Ordinal);
        Assert.Single(outbound, o => o.Action == "resolve");
    }
}

/// <summary>A tick whose notifications would not fit Step Functions' 256 KiB state.</summary>
[Trait("Category", "Integration")]
public class TickOutputTests
{
    [Fact]
    public async Task GroupFlush_WhenItsPagesWouldOverflowTheState_ShouldDeferTheRestToTheNextTickAndLoseNone()
    {
        var config = TestConfig.Inline("""
            receivers:
              - name: oncall
                pagerduty: { routingKeyParameter: /ops/pagerduty/routing-key }
            route:
              receiver: oncall
              groupWait: 30s
              groupBy: [namespace]
            """);
        // 150 alarms in one group: PagerDuty gets one event per alert, all in the tick that flushes the group.
        var alarms = Enumerable.Range(1, 150).Select(i => StateChange($"shard-{i:000}-errors", "ALARM", T0.AddMilliseconds(i * 100))).ToList();

        var (summary, outbound, parked, err) = await TestConfig.RunAsync(alarms, config);

        Assert.Equal(150, outbound.Count(o => o.Action == "trigger"));
        Assert.Equal(150, outbound.Select(o => o.AlertKey).Distinct().Count());
        Assert.Empty(parked);
        Assert.Equal(0, summary.ExecutionsFailed);
        Assert.Contains("deliveries deferred to the next tick: this tick's output is at its 180 KiB budget", err, StringComparison.Ordinal);
    }
}
