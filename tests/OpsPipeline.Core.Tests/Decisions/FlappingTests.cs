using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Decisions;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>flapping: { changes: 4, window: 30m } — the fourth change sends one notice, then quiet until stable for 30m.</summary>
public class FlappingTests
{
    private const string Billing = "billing-api-5xx";

    /// <summary>Alternating ALARM/OK every two minutes, starting with ALARM at T0.</summary>
    private static List<DecideResult> Flap(InMemoryPipeline run, int changes) =>
        [.. Enumerable.Range(0, changes).Select(i => run.Apply(Billing, i % 2 == 0 ? "ALARM" : "OK", T0.AddMinutes(2 * i)))];

    [Theory]
    [InlineData(10, "OK", "resolve")]
    [InlineData(11, "ALARM", "trigger")]
    public void Decide_WhenAlarmFlapsThenSettles_ShouldSendThreeNotificationsOneNoticeAndOneSettledState(int changes, string settled, string action)
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var decisions = Flap(run, changes);
        var lastChange = T0.AddMinutes(2 * (changes - 1));
        run.AdvanceTo(lastChange + TimeSpan.FromMinutes(30));

        Assert.Equal(
            [("team", "trigger", Billing), ("team", "resolve", Billing), ("team", "trigger", Billing), ("team", "flapping", Billing)],
            run.Deliveries("decide"));
        Assert.Equal("notify: flapping (4 state changes within 30m) to team; quiet until stable for 30m", decisions[3].Reason);
        Assert.All(decisions.Skip(4), d => Assert.Equal(DecisionKinds.Flapping, d.Decision));
        Assert.Equal($"flapping: quiet until stable for 30m (since the last change at {lastChange.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z)", decisions[^1].Reason);
        Assert.Empty(run.Deliveries("tick"));
        Assert.Equal(lastChange + TimeSpan.FromMinutes(30), run.State(Billing)!.DueAt);

        run.AdvanceBy(TimeSpan.FromMinutes(1));

        var settledAt = Assert.Single(run.Sent, s => s.By == "tick");
        Assert.Equal(("team", action), (settledAt.Delivery.Receiver, settledAt.Delivery.Action));
        Assert.Equal(lastChange.AddMinutes(31).AddSeconds(-5), settledAt.At);
        var state = run.State(Billing)!;
        Assert.Equal((settled, false, DecisionKinds.Notify), (state.State.Wire(), state.Flapping, state.LastDecision));
        Assert.Equal($"stable for 30m: {action} notification of {settled}", state.LastReason);

        run.AdvanceBy(TimeSpan.FromHours(3));
        Assert.Single(run.Sent, s => s.By == "tick");
    }

    [Fact]
    public void Decide_WhenChangesAreSpreadWiderThanTheWindow_ShouldNotCallItFlapping()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var decisions = Enumerable.Range(0, 6).Select(i => run.Apply(Billing, i % 2 == 0 ? "ALARM" : "OK", T0.AddMinutes(11 * i))).ToList();

        Assert.DoesNotContain(decisions, d => d.Decision == DecisionKinds.Flapping);
        Assert.Equal(["trigger", "resolve", "trigger", "resolve", "trigger", "resolve"], run.Sent.Select(s => s.Delivery.Action));
    }
}
