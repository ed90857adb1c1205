using System.Text.Json;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>Error budgets through `opsctl local --clock event`: bad time, burn-rate pages, and what they say.</summary>
[Trait("Category", "Integration")]
public class BudgetScenarioTests
{
    private const string IncidentKey = "slo:checkout-availability";

    [Fact]
    public async Task Budget_WhenTheSloAlarmIsInAlarmFor30Minutes_ShouldKeepOnePagerDutyIncidentAndTellTheTeamWhatItCost()
    {
        // The sample config: checkout-availability, 99.9% over 30d (43.2 min of budget), backed by checkout-api-5xx;
        // burn alerts 14.4x (1h/5m) and 6x (6h/30m) to oncall, 1x (3d/6h) to team.
        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(30), previous: "ALARM"),
            StateChange("billing-export-lag", "OK", T0.AddMinutes(70)), // moves the clock past the short windows
        ], TestConfig.Sample());

        // One PagerDuty incident: the alarm opens it, both burn alerts update it, one resolve closes it.
        var pages = outbound.Where(o => o.Receiver == "oncall").ToList();
        Assert.True(pages.Count == 4, err);
        Assert.All(pages, o => Assert.Equal(IncidentKey, o.Payload.GetProperty("dedup_key").GetString()));
        Assert.Equal(["trigger", "trigger", "trigger", "resolve"], pages.Select(o => o.Payload.GetProperty("event_action").GetString()));
        Assert.EndsWith(":alarm:checkout-api-5xx", pages[0].AlertKey, StringComparison.Ordinal);
        // Fired at the first tick (09:01): 1 bad minute of 43.2.
        Assert.Equal("checkout-availability: 14.4× burn, 2.3% of the 30d budget consumed (checkout-api-5xx ALARM)",
            pages[1].Payload.GetProperty("payload").GetProperty("summary").GetString());
        Assert.StartsWith("checkout-availability: 6× burn, ", pages[2].Payload.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.All(pages.Take(3), o => Assert.Equal("critical", o.Payload.GetProperty("payload").GetProperty("severity").GetString()));
        // The alarm's resolve waited for the incident: the 6x alert's 30m window is clean at 10:00.
        Assert.Contains("resolve to oncall handed to the checkout-availability incident", err);
        Assert.Contains("tick 2026-03-02T10:00Z: tick: 2 change(s), 2 deliveries", err, StringComparison.Ordinal);

        // The team's receiver gets one message for the incident: what it cost (its 1x alert was folded into it).
        var team = Assert.Single(outbound, o => o.Receiver == "team");
        Assert.Equal("budget", team.Action);
        Assert.StartsWith("checkout-availability: this incident consumed 69.4% of the 30d budget; 30.6% remains (30 min of bad time from 2026-03-02T09:00:00Z)",
            team.Payload.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Budget_WhenTheAlarmAlsoGoesToChat_ShouldTellChatTheAlarmAsAlwaysAndPageOnlyUnderTheIncident()
    {
        // The alarm pages oncall and, on its own route, tells team; burn alerts to oncall fold into its incident.
        var yaml = File.ReadAllText(OpsCtl.Local.RepoPaths.SampleConfig);
        var config = TestConfig.Inline(yaml.Replace("    - match: { alarmName: \"~^billing-\" }\n", "    - match: { alarmName: checkout-api-5xx }\n      receiver: team\n    - match: { alarmName: \"~^billing-\" }\n", StringComparison.Ordinal));
        Assert.Equal(3, config.Route.Routes.Count);
        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(3), previous: "ALARM"),
            StateChange("billing-export-lag", "OK", T0.AddMinutes(70)),
        ], config);

        Assert.True(outbound.Count(o => o.Receiver == "oncall") >= 2, err);
        Assert.All(outbound.Where(o => o.Receiver == "oncall"), o => Assert.Equal(IncidentKey, o.Payload.GetProperty("dedup_key").GetString()));
        Assert.Single(outbound, o => o.Receiver == "oncall" && o.Payload.GetProperty("event_action").GetString() == "resolve");
        // Chat is told the alarm fired and resolved under the alarm's own key, and the incident's cost once.
        Assert.Equal(["trigger", "resolve", "budget"], outbound.Where(o => o.Receiver == "team").Select(o => o.Action));
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

    [Fact]
    public async Task BudgetCommand_WhenLocalStateIsReadWithoutAt_ShouldEvaluateAtItsLastEventAndSaySo()
    {
        // An alarm left in ALARM at the end of a recorded run: evaluated "now", months of bad time would be counted.
        using var dir = new StateDirectory("budget-at");
        var state = dir.Path;
        var events = Path.Combine(state, "incident.jsonl");
        await File.WriteAllLinesAsync(events,
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("billing-export-lag", "OK", T0.AddMinutes(10)),
        ]);
        var run = await Opsctl("local", "--state", state, "--out", Path.Combine(state, "out.jsonl"), events);
        Assert.True(run.Exit == 0, run.Err);

        var (exit, json, err) = await Opsctl("budget", "--json", "--state", state);

        Assert.True(exit == 0, err);
        Assert.Contains("opsctl budget: evaluated at 2026-03-02T09:10:00Z, the latest time this local state records (--at TIME for another)", err, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(10, doc.RootElement.GetProperty("consumedMinutes").GetDouble(), 3); // 09:00 to 09:10, not to today
    }
}
