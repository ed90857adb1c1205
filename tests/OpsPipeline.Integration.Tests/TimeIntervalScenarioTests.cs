using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>Time intervals through `opsctl local --clock event`: the real ASL, handlers and Tick at every minute boundary.</summary>
[Trait("Category", "Integration")]
public class TimeIntervalScenarioTests
{
    /// <summary>Billing pages the team, but not before 11:00 in Berlin (10:00Z in March).</summary>
    private const string Config = """
        defaults:
          groupWait: 0s
        alarms:
          - match: { alarmName: "~^billing-" }
            labels: { service: billing, severity: warning }
        receivers: [{ name: team, slack: { webhookUrlParameter: /ops/slack/team } }]
        timeIntervals:
          - { name: out-of-hours, timeIntervals: [{ times: [{ startTime: '00:00', endTime: '11:00' }], location: Europe/Berlin }] }
        route:
          receiver: team
          routes:
            - match: { service: billing }
              receiver: team
              muteTimeIntervals: [out-of-hours]
        """;

    [Fact]
    public async Task MuteTimeInterval_WhenTwoAlarmsFireOutOfHours_ShouldSendOnlyTheOneStillFiringWhenTheMuteEnds()
    {
        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("billing-api-5xx", "ALARM", T0),
            StateChange("billing-db-errors", "ALARM", T0.AddMinutes(1)),
            StateChange("billing-db-errors", "OK", T0.AddMinutes(30), previous: "ALARM"),
            // Only moves the clock past the end of the mute.
            StateChange("billing-export-lag", "OK", T0.AddMinutes(70)),
        ], TestConfig.Inline(Config));

        var sent = Assert.Single(outbound);
        Assert.Equal(("team", "trigger"), (sent.Receiver, sent.Action));
        Assert.EndsWith(":billing-api-5xx", sent.AlertKey, StringComparison.Ordinal);
        Assert.Contains("suppressed: muted by time interval out-of-hours until 2026-03-02T10:00:00Z", err);
        Assert.Contains("recorded: billing-db-errors resolved while suppressed; it was never sent", err);
    }
}
