using OpsPipeline.Core.Silences;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// The notification log (issue 16): a receiver hears a resolve only for what it was told fires, and a flapping alert
/// never opens a PagerDuty incident on an OK transition.
/// </summary>
public class NotificationLogTests
{
    private const string Component = "checkout-api-5xx";

    /// <summary>checkout pages oncall (PagerDuty) at once and tells team (Slack) in a 30 s group; a capability inhibits its components.</summary>
    private static string PagerAtOnceChatGrouped()
    {
        var yaml = DecisionConfigs.Immediate()
            .Replace("  groupWait: 0s\n", "  groupWait: 30s\n", StringComparison.Ordinal)
            .Replace("  receiver: oncall\n", "  receiver: oncall\n      groupWait: 0s\n", StringComparison.Ordinal);
        Assert.Contains("groupWait: 30s", yaml, StringComparison.Ordinal);
        Assert.Contains("      groupWait: 0s", yaml, StringComparison.Ordinal);
        return yaml;
    }

    [Fact]
    public void Decide_WhenInhibitionKeptTheTriggerOutOfTheChatDigest_ShouldResolveOnlyWhereItWasTold()
    {
        var run = new InMemoryPipeline(PagerAtOnceChatGrouped());
        run.Apply(Component, "ALARM", T0);
        run.Apply("checkout-capability", "ALARM", T0.AddSeconds(10));
        run.AdvanceBy(TimeSpan.FromMinutes(2)); // the team group flushes: the component is inhibited by then

        run.Apply(Component, "OK", T0.AddMinutes(5));

        Assert.Equal(
            [("oncall", "trigger", Component), ("oncall", "trigger", "checkout-capability"), ("team", "trigger", "checkout-capability"), ("oncall", "resolve", Component)],
            run.Deliveries());
        Assert.Empty(run.State(Component)!.ToldFiring);
        Assert.Equal(["oncall", "team"], run.State("checkout-capability")!.ToldFiring);
    }

    [Fact]
    public void Decide_WhenFlappingIsNoticedOnAnOkWithNoIncidentOpen_ShouldNotOpenOneAndSettleQuietly()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(new Silence
        {
            Id = "sil-1", Matchers = new Dictionary<string, string> { ["alarmName"] = Component },
            StartsAt = T0.AddMinutes(-5), EndsAt = T0.AddMinutes(5), CreatedBy = "alice", Comment = "deploy",
        });

        // Muted while it fires, so no receiver is told; the fourth change, an OK, makes it flapping.
        foreach (var (state, i) in new[] { "ALARM", "OK", "ALARM", "OK" }.Select((s, i) => (s, i)))
        {
            run.Apply(Component, state, T0.AddSeconds(30 * i));
        }

        run.AdvanceBy(TimeSpan.FromHours(1));

        // Chat gets one flapping notice and one settled notice; PagerDuty, never told it fired, gets nothing.
        Assert.Equal([("team", "flapping", Component), ("team", "resolve", Component)], run.Deliveries());
        Assert.Equal(T0.AddSeconds(90), run.Sent[0].At);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 32, 0, TimeSpan.Zero), run.Sent[1].At); // the first tick a whole window after the last change (09:01:35)
    }

    [Fact]
    public void Decide_WhenFlappingIsNoticedOnAnOkWithTheIncidentOpen_ShouldUpdateItAndResolveItWhenSettled()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        var states = new[] { "ALARM", "OK", "ALARM", "OK", "ALARM", "OK" };
        foreach (var (state, i) in states.Select((s, i) => (s, i)))
        {
            run.Apply(Component, state, T0.AddMinutes(2 * i));
        }

        run.AdvanceBy(TimeSpan.FromHours(1));

        var pager = run.Deliveries().Where(d => d.Receiver == "oncall").Select(d => d.Action).ToList();
        Assert.Equal(["trigger", "resolve", "trigger", "flapping", "resolve"], pager);
        Assert.Single(run.Sent, s => s.Delivery.Receiver == "oncall" && s.Delivery.Action == "flapping" && s.At == T0.AddMinutes(6));
        Assert.Equal(OpsPipeline.Core.Alerts.AlertStatus.Resolved, AlertStatusOf(run));
    }

    private static OpsPipeline.Core.Alerts.AlertStatus? AlertStatusOf(InMemoryPipeline run) => run.State(Component)!.NotifiedStatus;
}
