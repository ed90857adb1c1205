using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>Inhibition: a firing capability (kind=capability) mutes the components (kind=component) of its own service.</summary>
public class InhibitionTests
{
    private const string Capability = "checkout-capability";

    private static readonly string[] Components = ["checkout-api-5xx", "checkout-db-errors", "checkout-queue-age"];

    [Fact]
    public void Decide_WhenCapabilityFires_ShouldSuppressItsServiceComponentsButNotAnotherService()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply(Capability, "ALARM", T0);

        var components = Components.Select((c, i) => run.Apply(c, "ALARM", T0.AddSeconds(10 * (i + 1)))).ToList();
        var billing = run.Apply("billing-api-5xx", "ALARM", T0.AddSeconds(50));
        run.AdvanceBy(TimeSpan.FromMinutes(5));

        Assert.All(components, d => Assert.Equal((DecisionKinds.Suppressed, "suppressed: inhibited by checkout-capability"), (d.Decision, d.Reason)));
        Assert.All(Components, c => Assert.Equal(
            (DecisionKinds.Suppressed, "suppressed: inhibited by checkout-capability"),
            (run.State(c)!.LastDecision, run.State(c)!.LastReason)));
        Assert.Equal("notify: trigger to team", billing.Reason);
        Assert.Equal(
            [("oncall", "trigger", Capability), ("team", "trigger", Capability), ("team", "trigger", "billing-api-5xx")],
            run.Deliveries());
    }

    [Fact]
    public void Tick_WhenInhibitingCapabilityResolves_ShouldNotifyTheStillFiringComponentsOnce()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply(Capability, "ALARM", T0);
        foreach (var (c, i) in Components.Select((c, i) => (c, i)))
        {
            run.Apply(c, "ALARM", T0.AddSeconds(10 * (i + 1)));
        }

        // One component recovers under the inhibition: it was never sent, so it is never resolved either.
        run.Apply(Components[2], "OK", T0.AddMinutes(5));
        run.Apply(Capability, "OK", T0.AddMinutes(10));
        run.AdvanceBy(TimeSpan.FromMinutes(30));

        Assert.Empty(run.Sources);
        Assert.Equal(
            [("oncall", "resolve", Capability), ("team", "resolve", Capability)],
            run.Deliveries("decide").Skip(2));
        var fromTick = run.Sent.Where(s => s.By == "tick").ToList();
        Assert.Equal(
            [("oncall", "trigger", Components[0]), ("team", "trigger", Components[0]), ("oncall", "trigger", Components[1]), ("team", "trigger", Components[1])],
            run.Deliveries("tick"));
        Assert.All(fromTick, s => Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 11, 0, TimeSpan.Zero), s.At));
        Assert.Equal("notify: no longer suppressed (inhibited by checkout-capability ended)", run.State(Components[0])!.LastReason);
    }

    [Fact]
    public void Decide_WhenAlertIsBothSourceAndTarget_ShouldNotInhibitItself()
    {
        var config = ConfigLoader.Load(DecisionConfigs.Immediate().Replace("targetMatch: { kind: component }", "targetMatch: { service: checkout }", StringComparison.Ordinal), "self.yaml");
        var decider = new AlertPipeline(config, RouteTree.From(config));
        var capability = AlarmEvents.Alert(config, Capability, "ALARM", T0);
        var itself = new InhibitionSource(capability.Key, capability.Name, capability.Labels);
        var other = AlarmEvents.Alert(config, Capability, "ALARM", T0) with { Key = "another-account:checkout-capability" };

        var alone = decider.Decide(capability, null, new DecisionContext([], [itself]), T0);
        var withAnother = decider.Decide(capability, null, new DecisionContext([], [itself, new InhibitionSource(other.Key, "checkout-capability (eu)", other.Labels)]), T0);

        Assert.Equal("notify: trigger to oncall, team", alone.Reason);
        Assert.Equal("suppressed: inhibited by checkout-capability (eu)", withAnother.Reason);
    }

    [Fact]
    public void Decide_WhenCapabilityStartsOrStopsFiring_ShouldUpdateTheSourceSetOnlyThen()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var fires = run.Apply(Capability, "ALARM", T0);
        var unknown = run.Apply(Capability, "INSUFFICIENT_DATA", T0.AddMinutes(20));
        var component = run.Apply("checkout-api-5xx", "ALARM", T0.AddMinutes(21));

        Assert.Equal([(Capability, true, T0), (Capability, false, T0.AddMinutes(20))], run.SourceUpdates.Select(u => (u.Source.Name, u.Firing, u.At)));
        Assert.Equal("notify: trigger to oncall, team", component.Reason);
        run.Apply("billing-api-5xx", "ALARM", T0.AddMinutes(22));
        Assert.Equal(2, run.SourceUpdates.Count);
    }
}
