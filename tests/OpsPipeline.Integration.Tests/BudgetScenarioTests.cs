using System.Text.Json;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>Error budgets through `opsctl local --clock event`: bad time, burn-rate pages, and what they say.</summary>
[Trait("Category", "Integration")]
public class BudgetScenarioTests
{
    private const string FastBurnKey = "slo:checkout-availability:1h/5m@14.4x";

    [Fact]
    public async Task Budget_WhenTheSloAlarmIsInAlarmFor30Minutes_ShouldPageTheFastBurnOnceResolveItAndReportTheBudgetConsumed()
    {
        // The sample config: checkout-availability, 99.9% over 30d (43.2 min of budget), backed by checkout-api-5xx.
        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(30), previous: "ALARM"),
            StateChange("billing-export-lag", "OK", T0.AddMinutes(70)), // moves the clock past the short windows
        ], TestConfig.Sample());

        var fastBurn = outbound.Where(o => o.Action == "budget" && o.AlertKey == FastBurnKey).ToList();
        Assert.True(fastBurn.Count == 2, err);
        Assert.All(fastBurn, o => Assert.Equal(("oncall", "pagerduty"), (o.Receiver, o.Channel)));
        Assert.Equal("trigger", fastBurn[0].Payload.GetProperty("event_action").GetString());
        Assert.Equal("resolve", fastBurn[1].Payload.GetProperty("event_action").GetString());
        Assert.Equal(fastBurn[0].DedupKey, fastBurn[1].Payload.GetProperty("dedup_key").GetString());
        // Fired at the first tick (09:01): 1 bad minute in the last hour is 16.7x, in the last 5 minutes 200x.
        Assert.Contains("burn rate 16.7× over 1h and 200.0× over 5m (alert at 14.4×); 2.3% of the 30d budget consumed",
            fastBurn[0].Payload.GetProperty("payload").GetProperty("summary").GetString());
        // Resolved when the 5m window held no bad time: 09:35; by then 30 of 43.2 minutes are gone.
        Assert.Contains("tick 2026-03-02T09:35Z", err);
        Assert.Contains("back below 14.4× over 5m (0.0×); 69.4% of the 30d budget consumed", err);
        // The alarm itself paged and resolved once, as any alarm does.
        Assert.Equal(["trigger", "resolve"], outbound.Where(o => o.AlertKey.EndsWith(":checkout-api-5xx", StringComparison.Ordinal)).Select(o => o.Action));
    }

    [Fact]
    public async Task Budget_WhenTheSloAlarmEventsAreDrills_ShouldNotTouchTheRealBudget()
    {
        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("checkout-api-5xx", "ALARM", T0, replayName: "game-day"),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(30), previous: "ALARM", replayName: "game-day"),
            StateChange("billing-export-lag", "OK", T0.AddMinutes(40)),
        ], TestConfig.Sample());

        Assert.DoesNotContain(outbound, o => o.Action == "budget");
        Assert.All(outbound, o => Assert.Equal("drills", o.Receiver));
        Assert.Equal(2, outbound.Count);
        Assert.DoesNotContain("budget consumed", err);
    }

    [Fact]
    public async Task BudgetCommand_WhenLocalStateHoldsAnIncident_ShouldReportBudgetConsumptionAndBurnRates()
    {
        using var dir = new StateDirectory("budget");
        var state = dir.Path;
        var events = Path.Combine(state, "incident.jsonl");
        await File.WriteAllLinesAsync(events,
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(30), previous: "ALARM"),
        ]);
        var run = await Opsctl("local", "--state", state, "--out", Path.Combine(state, "out.jsonl"), events);
        Assert.True(run.Exit == 0, run.Err);

        var (exit, json, err) = await Opsctl("budget", "--json", "--state", state, "--at", "2026-03-02T09:45:00Z");
        var (_, text, _) = await Opsctl("budget", "--state", state, "--at", "2026-03-02T09:45:00Z");

        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(json);
        var slo = doc.RootElement;
        Assert.Equal("checkout-availability", slo.GetProperty("slo").GetString());
        Assert.Equal(43.2, slo.GetProperty("budgetMinutes").GetDouble(), 3);
        Assert.Equal(30, slo.GetProperty("consumedMinutes").GetDouble(), 3);
        Assert.Equal(69.44, slo.GetProperty("consumedPercent").GetDouble(), 2);
        var fast = slo.GetProperty("burnRates").EnumerateArray().First();
        Assert.Equal("1h/5m@14.4x", fast.GetProperty("alert").GetString());
        Assert.Equal(500, fast.GetProperty("long").GetDouble(), 3); // 30 of the last 60 minutes / 0.001
        Assert.Contains("remaining  13.2 min (30.6%)", text);
        Assert.Contains("burn-down", text);
    }
}
