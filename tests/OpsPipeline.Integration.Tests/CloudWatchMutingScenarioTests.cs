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

    /// <summary>The one alarm a Slack digest lists as new (its first entry, after the "New (1)" title).</summary>
    private static string NewMember(OutboundRecord digest)
    {
        var blocks = digest.Payload.GetProperty("blocks");
        Assert.Equal("*New (1)*", blocks[2].GetProperty("text").GetProperty("text").GetString());
        var entry = blocks[3].GetProperty("text").GetProperty("text").GetString()!;
        return entry[(entry.IndexOf('|', StringComparison.Ordinal) + 1)..entry.IndexOf(">*", StringComparison.Ordinal)];
    }

    [Fact]
    public async Task MaintenanceMorning_WhenCloudWatchMutesOrSuppressesAlarms_ShouldSendEachOnlyOnceItsMuteEnds()
    {
        var events = Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllText);

        var (summary, outbound, _, err) = await TestConfig.RunAsync(events);

        Assert.Equal(2, summary.Decisions["suppressed"]);
        Assert.Contains("suppressed: muted by CloudWatch mute rule arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:inventory-morning-reindex until 2026-03-10T10:00:00Z", err);
        Assert.Contains("suppressed: actions suppressed by payments-maintenance (Alarm)", err);
        Assert.Contains("not muted by CloudWatch: muteDetail: the window ends (2026-03-10T09:00:00.000+0000) before it starts (2026-03-10T11:00:00.000+0000); muteDetail ignored", err);
        // None of them has a service label: they share the sample route's group root:{}, so each one after the first
        // goes out in a digest naming it new and the ones told before still firing.
        Assert.Equal(
            [("team", "trigger", "orders-sync-errors"), ("team", "digest", "payments-degraded"), ("team", "digest", "inventory-sync-errors"), ("team", "digest", "search-sync-errors")],
            outbound.Select(o => (o.Receiver, o.Action, o.Action == "digest" ? NewMember(o) : o.AlertKey[(o.AlertKey.LastIndexOf(':') + 1)..])));
        Assert.Equal(
            ["[FIRING x2]", "[FIRING x3]", "[FIRING x4]"],
            outbound.Skip(1).Select(o => o.Payload.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString()![(":rotating_light: ".Length)..]));
        Assert.Contains("tick 2026-03-10T10:00Z: tick: 1 change(s), 1 deliveries", err);
    }
}
