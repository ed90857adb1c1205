using OpsPipeline.Core.Alerts;
using System.Text.Json;
using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>Recovery drills: replayed events (EventBridge "replay-name") run the production path but page no one.</summary>
[Trait("Category", "Integration")]
public class DrillTests
{
    [Fact]
    public async Task Replay_WhenAnAlarmOkPairIsReplayed_ShouldSendDrillsOnlyLeaveProductionStateAloneAndReportBothEvents()
    {
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = new ManualClock(T0) });
        // Production: the alarm is firing and was paged.
        await stack.ExecuteAsync(StateChange("checkout-api-5xx", "ALARM", T0));
        var key = Assert.Single(stack.Outbound).AlertKey;
        var (before, _) = await stack.Runtime.AlertStates.GetAsync(key, withSources: false, default);

        // The drill replays last week's ALARM and OK of the same alarm.
        var alarm = await stack.ExecuteAsync(StateChange("checkout-api-5xx", "ALARM", T0.AddDays(-7), replayName: "drill-1"));
        var ok = await stack.ExecuteAsync(StateChange("checkout-api-5xx", "OK", T0.AddDays(-7).AddMinutes(9), previous: "ALARM", replayName: "drill-1"));

        Assert.Equal(["SUCCEEDED", "SUCCEEDED"], new[] { alarm.Status, ok.Status });
        var drills = stack.Outbound.Skip(1).ToList();
        Assert.Equal([("drills", "slack", "trigger", true), ("drills", "slack", "resolve", true)], drills.Select(d => (d.Receiver, d.Channel, d.Action, d.Drill)));
        Assert.Contains("DRILL", drills[0].Payload.GetRawText());
        var (after, _) = await stack.Runtime.AlertStates.GetAsync(key, withSources: false, default);
        Assert.Equal(before!.Version, after!.Version);
        Assert.Equal("ALARM", after.State.Wire());

        var report = await stack.Runtime.DrillReports.ListAsync("drill-1", default);
        Assert.Equal(["ALARM", "OK"], report.Select(r => r.State));
        Assert.Equal(["notify", "notify"], report.Select(r => r.Decision));
        Assert.Equal(("oncall", "pagerduty", "trigger"), (report[0].WouldSend.Single().Receiver, report[0].WouldSend.Single().Channel, report[0].WouldSend.Single().Action));
        Assert.Equal("resolve", report[1].WouldSend.Single().Action);
        Assert.All(report, r => Assert.Equal("drills", r.Sent.Single().Receiver));
    }

    [Fact]
    public async Task Replay_WhenAReplayedEventIsInvalid_ShouldReportItAsRejectedInTheDrill()
    {
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = new ManualClock(T0) });
        var broken = StateChange("checkout-api-5xx", "ALARM", T0, replayName: "drill-2").Replace("\"value\":\"ALARM\"", "\"value\":\"ON FIRE\"", StringComparison.Ordinal);

        var outcome = await stack.ExecuteAsync(broken);

        Assert.Equal("SUCCEEDED", outcome.Status); // parked, not failed
        Assert.Empty(stack.Outbound);
        var row = Assert.Single(await stack.Runtime.DrillReports.ListAsync("drill-2", default));
        Assert.Equal("rejected", row.Decision);
        Assert.Contains("detail.state.value", row.Reason);
    }

    [Fact]
    public async Task DrillReport_WhenALocalReplayRanWithKeptState_ShouldListEveryEventAndWhatProductionWouldHaveSent()
    {
        using var dir = new StateDirectory("drill");
        var state = dir.Path;
        var events = Path.Combine(state, "replay.jsonl");
        await File.WriteAllLinesAsync(events,
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(9), previous: "ALARM"),
            "{\"not\": \"an event\", \"replay-name\": \"x\"}",
        ]);
        var run = await Opsctl("local", "--replay-name", "game-day-1", "--state", state, "--out", Path.Combine(state, "out.jsonl"), events);
        Assert.True(run.Exit == 3, run.Err); // completed; the third line was rejected
        Assert.Contains("drill game-day-1: 3 events replayed, 1 failed", run.Err);

        var (exit, json, _) = await Opsctl("drill", "report", "game-day-1", "--json", "--state", state);

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(json);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(["notify", "notify", "rejected"], rows.Select(r => r.GetProperty("decision").GetString()).Order(StringComparer.Ordinal));
        var wouldSend = rows.Where(r => r.GetProperty("decision").GetString() == "notify")
            .SelectMany(r => r.GetProperty("wouldSend").EnumerateArray())
            .Select(d => (d.GetProperty("receiver").GetString(), d.GetProperty("action").GetString()))
            .Order()
            .ToList();
        Assert.Equal([("oncall", "resolve"), ("oncall", "trigger")], wouldSend);
        var deliveries = await File.ReadAllLinesAsync(Path.Combine(state, "out.jsonl"));
        Assert.Equal(2, deliveries.Length);
        Assert.All(deliveries, d => Assert.Contains("\"receiver\":\"drills\"", d));
    }

    [Fact]
    public async Task LocalReplay_WhenTheSampleEventsIncludeSqsRecords_ShouldReplayEveryInputAsADrillAndCountThemAll()
    {
        // Issue 18: the SQS-record files went out with drill=false and the report counted 9 of the run's 17 events.
        var outFile = Path.GetTempFileName();
        try
        {
            var (exit, _, err) = await CliRunner.Opsctl("local", "--replay-name", "game-day-1", "--out", outFile);

            Assert.True(exit == 0, err);
            var lines = (await File.ReadAllLinesAsync(outFile)).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
            Assert.NotEmpty(lines);
            Assert.All(lines, l => Assert.Equal(("drills", true), (l.GetProperty("receiver").GetString(), l.GetProperty("drill").GetBoolean())));
            Assert.Contains(lines, l => l.GetProperty("payload").GetRawText().Contains("dead-lettered", StringComparison.Ordinal));
            Assert.Contains("drill game-day-1: 17 events replayed, 0 failed", err, StringComparison.Ordinal);
            Assert.Contains("opsctl local: 17 events", err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outFile);
        }
    }
}
