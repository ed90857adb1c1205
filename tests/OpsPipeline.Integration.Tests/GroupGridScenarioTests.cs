using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// A group's update grid through `opsctl local --clock event` (the real ASL, handlers, DynamoDB and Tick at every minute
/// boundary): the group's record keeps its grid while a member is told firing, and ends it with the episode.
/// </summary>
[Trait("Category", "Integration")]
public class GroupGridScenarioTests
{
    /// <summary>Billing tells the team (Slack) in groups by service: 30 s group wait, 5 m group interval.</summary>
    internal const string Config = """
        defaults:
          groupWait: 30s
          groupInterval: 5m
        alarms:
          - match: { alarmName: "~^billing-" }
            labels: { service: billing, severity: warning }
        receivers: [{ name: team, slack: { webhookUrlParameter: /ops/slack/team } }]
        route:
          receiver: team
          groupBy: [service]
        """;

    internal static DateTimeOffset At(int hour, int minute, int second = 0) => new(2026, 3, 2, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public async Task GroupInterval_WhenAGroupRefiresResolvesTogetherAndStartsAgain_ShouldSendEachUpdateOnItsGrid()
    {
        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("billing-api-5xx", "ALARM", T0),
            StateChange("billing-db-errors", "ALARM", T0.AddSeconds(10)),
            // Resolved and firing again before the group's 09:11 update: the team was never told otherwise.
            StateChange("billing-api-5xx", "OK", At(9, 7), previous: "ALARM"),
            StateChange("billing-api-5xx", "ALARM", At(9, 8)),
            // Two resolves either side of 09:40 go out together in the group's 09:41 update, which ends its episode.
            StateChange("billing-api-5xx", "OK", At(9, 38, 30), previous: "ALARM"),
            StateChange("billing-db-errors", "OK", At(9, 40, 30), previous: "ALARM"),
            // A new episode waits its group wait (09:43:30), not the old grid's 09:46; its own grid starts at 09:44.
            StateChange("billing-queue-depth", "ALARM", At(9, 43)),
            StateChange("billing-export-lag", "ALARM", At(9, 45)),
            // Only moves the clock on.
            StateChange("billing-invoice-lag", "OK", At(10, 0)),
        ], TestConfig.Inline(Config));

        // The 09:49 update names the newcomer and billing-queue-depth, told at 09:44 and still firing: one digest.
        Assert.Equal(
            [("digest", At(9, 1)), ("digest", At(9, 41)), ("trigger", At(9, 44)), ("digest", At(9, 49))],
            outbound.Select(o => (o.Action, o.At)));
        Assert.All(outbound, o => Assert.Equal("team", o.Receiver));
        Assert.EndsWith(":billing-queue-depth", outbound[2].AlertKey, StringComparison.Ordinal);
        Assert.Equal(":rotating_light: [FIRING x2] service=billing: 2 alerts firing, worst severity warning", outbound[3].Payload.GetProperty("text").GetString());
        Assert.Contains("billing-export-lag", outbound[3].Payload.GetProperty("blocks")[3].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("billing-queue-depth (warning)", outbound[3].Payload.GetProperty("blocks")[5].GetProperty("text").GetProperty("text").GetString());
        Assert.Contains("RESOLVED", outbound[1].Payload.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("recorded: billing-api-5xx fires again before its resolve went out; team still told it fires", err, StringComparison.Ordinal);
    }
}
