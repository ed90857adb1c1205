using AmCompare;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Integration.Tests;

/// <summary>tools/amcompare's storm and counting (the comparison itself is run by hand: tools/amcompare/run.sh).</summary>
public class AmCompareTests
{
    private static readonly DateTimeOffset T0 = AlarmStorm.Start;

    [Fact]
    public void Generate_WhenSeeded_ShouldBeReproducibleAndHaveTheIssuesShape()
    {
        var storm = AlarmStorm.Generate(16);

        Assert.Equal(storm, AlarmStorm.Generate(16));
        Assert.NotEqual(storm, AlarmStorm.Generate(17));
        Assert.Equal(40, storm.Select(e => e.Alarm).Where(a => a != AlarmStorm.ClockAlarm).Distinct().Count());
        Assert.Equal(9, storm.Select(e => e.Alarm).Where(a => a.StartsWith("checkout-", StringComparison.Ordinal)).Distinct().Count()); // the capability and its 8 components
        Assert.All(AlarmStorm.Flapping, a => Assert.Equal(10, storm.Where(e => e.Alarm == a).Select(e => e.EventId).Distinct().Count()));
        Assert.Contains(storm, e => storm.Count(d => d.EventId == e.EventId) == 2); // duplicates repeat their event id
        Assert.Contains(storm, e => e.Arrival - e.At >= TimeSpan.FromMinutes(1)); // late events
        Assert.True(storm.Zip(storm.Skip(1)).All(p => p.First.Arrival <= p.Second.Arrival));
        Assert.Equal((AlarmStorm.ClockAlarm, T0 + AlarmStorm.Length), (storm[^1].Alarm, storm[^1].At));
        // Every event is one the pipeline accepts, and one alarm's transitions alternate in arrival order (late never reorders an alarm).
        Assert.All(storm, e => Assert.IsAssignableFrom<CloudWatchAlarmEvent>(EventParser.Parse(e.CloudWatchJson())));
        Assert.All(storm.Where(e => e.Alarm != AlarmStorm.ClockAlarm).GroupBy(e => e.Alarm), g =>
        {
            var states = g.DistinctBy(e => e.EventId).Select(e => e.Firing).ToList();
            Assert.True(states.Zip(states.Skip(1)).All(p => p.First != p.Second), g.Key);
        });
    }

    [Fact]
    public void Labels_FromThePipelineConfig_ShouldGiveServiceSeverityAndKindAsAlertmanagerGetsThem()
    {
        var config = OpsCtl.Cli.LoadConfig(Path.Combine(AppContext.BaseDirectory, "pipeline.yaml"))!;
        string Label(string alarm, string name) =>
            AlertNormalizer.Normalize(EventParser.Parse(AlarmStorm.Generate(16).First(e => e.Alarm == alarm).CloudWatchJson()), config).Labels[name];

        Assert.Equal(("checkout", "critical", "capability"), (Label("checkout-capability", "service"), Label("checkout-capability", "severity"), Label("checkout-capability", "kind")));
        Assert.Equal(("checkout", "critical", "component"), (Label("checkout-api-5xx", "service"), Label("checkout-api-5xx", "severity"), Label("checkout-api-5xx", "kind")));
        Assert.Equal(("billing", "warning"), (Label("billing-export-lag", "service"), Label("billing-export-lag", "severity")));
    }

    [Fact]
    public void Tally_WhenKeysTriggerUpdateResolveAndTriggerAgain_ShouldCountAnIncidentPerOpening()
    {
        var tally = Tally.Of("x",
        [
            new Notification("oncall", T0.AddMinutes(3), "a", Trigger: true),
            new Notification("oncall", T0.AddMinutes(1), "a", Trigger: true),   // out of order: this is the first page
            new Notification("oncall", T0.AddMinutes(4), "b", Trigger: true),
            new Notification("oncall", T0.AddMinutes(5), "a", Trigger: false),
            new Notification("oncall", T0.AddMinutes(6), "a", Trigger: true),   // a new incident on the same key
            new Notification("oncall", T0.AddMinutes(7), "c", Trigger: false),  // a resolve of nothing opens nothing
            new Notification("team", T0),
        ]);

        Assert.Equal((3, 7, T0.AddMinutes(1)), (tally.Incidents, tally.Total, tally.FirstPage));
        Assert.Equal(6, tally.PerReceiver["oncall"]);
        Assert.Equal(1, tally.PerReceiver["team"]);
    }

    [Fact]
    public void ToNotification_WhenAlertmanagerWebhooksOncall_ShouldKeyByGroupAndTriggerWhileFiring()
    {
        var firing = AlertmanagerRun.ToNotification("oncall", T0, """{"receiver":"oncall","status":"firing","groupKey":"{}/{severity=\"critical\"}:{service=\"billing\"}","alerts":[]}""");
        var resolved = AlertmanagerRun.ToNotification("oncall", T0, """{"receiver":"oncall","status":"resolved","groupKey":"g","alerts":[]}""");
        var chat = AlertmanagerRun.ToNotification("team", T0, """{"receiver":"team","status":"firing","groupKey":"g","alerts":[]}""");

        Assert.Equal(("{}/{severity=\"critical\"}:{service=\"billing\"}", true), (firing.PageKey, firing.Trigger));
        Assert.Equal(("g", false), (resolved.PageKey, resolved.Trigger));
        Assert.Null(chat.PageKey);
    }
}
