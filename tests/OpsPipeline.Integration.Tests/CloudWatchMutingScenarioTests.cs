using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// CloudWatch's own muting, replayed through `opsctl local --clock event` from real-shaped events
/// (tests/OpsPipeline.Integration.Tests/CloudWatchMuting): an alarm inside a mute rule's window and a composite whose
/// actions its suppressor holds are not sent until the window ends or CloudWatch clears the suppression.
/// </summary>
[Trait("Category", "Integration")]
public class CloudWatchMutingScenarioTests
{
    private static string Folder => Path.Combine(RepoPaths.Root, "tests", "OpsPipeline.Integration.Tests", "CloudWatchMuting");

    [Fact]
    public async Task MaintenanceMorning_WhenCloudWatchMutesOrSuppressesAlarms_ShouldSendEachOnlyOnceItsMuteEnds()
    {
        var events = Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllText);

        var (summary, outbound, _, err) = await TestConfig.RunAsync(events);

        Assert.Equal(2, summary.Decisions["suppressed"]);
        Assert.Contains("suppressed: muted by CloudWatch mute rule arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:inventory-morning-reindex until 2026-03-10T10:00:00Z", err);
        Assert.Contains("suppressed: actions suppressed by payments-maintenance (Alarm)", err);
        Assert.Contains("not muted by CloudWatch: muteDetail: the window ends (2026-03-10T09:00:00.000+0000) before it starts (2026-03-10T11:00:00.000+0000); muteDetail ignored", err);
        Assert.Equal(
            [("team", "trigger", "orders-sync-errors"), ("team", "trigger", "payments-degraded"), ("team", "trigger", "inventory-sync-errors"), ("team", "trigger", "search-sync-errors")],
            outbound.Select(o => (o.Receiver, o.Action, o.AlertKey[(o.AlertKey.LastIndexOf(':') + 1)..])));
        Assert.Contains("tick 2026-03-10T10:00Z: tick: 1 change(s), 1 deliveries", err);
    }
}
