using OpsPipeline.Core.Decisions;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// Time intervals on routes, through the real use cases: a route muted by time does not notify; the alert is recorded
/// with the interval's name; what still fires at the mute's end is sent; what resolved meanwhile never is.
/// T0 is Tuesday 2026-03-10 09:00:05Z, 10:00 in Berlin; out-of-hours ends at 11:00 Berlin, 10:00Z.
/// </summary>
public class TimeMutingTests
{
    private const string Billing = "billing-api-5xx";
    private const string Checkout = "checkout-api-5xx";
    private const string Search = "search-latency";

    private static readonly DateTimeOffset MuteEnd = new(2026, 3, 10, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The immediate config, and: billing (warning) goes to team, muted out of hours; checkout to oncall now and to team muted out of hours; search only in business hours.</summary>
    private static readonly string Config = DecisionConfigs.Immediate().Replace("""
              receiver: team
        inhibit:
        """, """
              receiver: team
              muteTimeIntervals: [out-of-hours]
            - match: { service: billing }
              receiver: team
              muteTimeIntervals: [out-of-hours]
            - match: { service: search }
              receiver: team
              activeTimeIntervals: [business-hours]
        inhibit:
        """, StringComparison.Ordinal) + """

        timeIntervals:
          - name: out-of-hours
            timeIntervals:
              - times: [{ startTime: '00:00', endTime: '11:00' }]
                location: Europe/Berlin
          - name: business-hours
            timeIntervals:
              - times: [{ startTime: '09:00', endTime: '17:00' }]
                weekdays: [monday:friday]
                location: Europe/Berlin
        """;

    [Fact]
    public void Decide_WhenEveryRouteIsMutedByTime_ShouldRecordTheIntervalsNameUntilItEnds()
    {
        var run = new InMemoryPipeline(Config);

        var decision = run.Apply(Billing, "ALARM", T0);

        const string reason = "suppressed: muted by time interval out-of-hours until 2026-03-10T10:00:00Z";
        Assert.Equal((DecisionKinds.Suppressed, reason), (decision.Decision, decision.Reason));
        var state = run.State(Billing)!;
        Assert.Equal((SuppressionKind.TimeInterval, "out-of-hours", reason), (state.Suppressed?.Kind, state.Suppressed?.Id, state.LastReason));
        Assert.Equal(MuteEnd, state.DueAt);
        Assert.Empty(run.Sent);
    }

    [Fact]
    public void Tick_WhenTheMuteEndsWhileStillFiring_ShouldSendOneTriggerAsAtTheEndOfASilence()
    {
        var run = new InMemoryPipeline(Config);
        run.Apply(Billing, "ALARM", T0);

        run.AdvanceTo(MuteEnd.AddMinutes(-1));
        Assert.Empty(run.Sent);
        run.AdvanceBy(TimeSpan.FromMinutes(5));

        var sent = Assert.Single(run.Sent);
        Assert.Equal(("tick", "team", "trigger", MuteEnd), (sent.By, sent.Delivery.Receiver, sent.Delivery.Action, sent.At));
        var state = run.State(Billing)!;
        Assert.Null(state.Suppressed);
        Assert.Equal("notify: no longer suppressed (muted by time interval out-of-hours until 2026-03-10T10:00:00Z ended)", state.LastReason);
    }

    [Fact]
    public void Decide_WhenTheAlertResolvesDuringTheMute_ShouldNeverSendIt()
    {
        var run = new InMemoryPipeline(Config);
        run.Apply(Billing, "ALARM", T0);

        var ok = run.Apply(Billing, "OK", T0.AddMinutes(20));
        run.AdvanceBy(TimeSpan.FromHours(6));

        Assert.Equal("recorded: billing-api-5xx resolved while suppressed; it was never sent", ok.Reason);
        Assert.Empty(run.Sent);
        Assert.Null(run.State(Billing)!.DueAt);
    }

    [Fact]
    public void Decide_WhenOnlySomeRoutesAreMuted_ShouldNotifyTheOthersNowAndTheMutedOneWhenItsMuteEnds()
    {
        var run = new InMemoryPipeline(Config);

        var decision = run.Apply(Checkout, "ALARM", T0);
        Assert.Equal("notify: trigger to oncall", decision.Reason);
        Assert.Contains("route root/1: muted by time until 2026-03-10T10:00:00Z", decision.Path);
        run.AdvanceTo(MuteEnd.AddMinutes(30));
        run.Apply(Checkout, "OK", MuteEnd.AddMinutes(30));

        Assert.Equal([("oncall", "trigger", Checkout), ("team", "trigger", Checkout), ("oncall", "resolve", Checkout), ("team", "resolve", Checkout)], run.Deliveries());
        Assert.Equal(MuteEnd, run.Sent[1].At);
    }

    [Fact]
    public void Decide_WhenPartlyMutedAndResolvedDuringTheMute_ShouldResolveOnlyWhereTheTriggerWent()
    {
        var run = new InMemoryPipeline(Config);
        run.Apply(Checkout, "ALARM", T0);

        run.Apply(Checkout, "OK", T0.AddMinutes(10));
        run.AdvanceBy(TimeSpan.FromHours(2));

        Assert.Equal([("oncall", "trigger", Checkout), ("oncall", "resolve", Checkout)], run.Deliveries());
    }

    [Fact]
    public void Decide_WhenOutsideEveryActiveInterval_ShouldWaitForTheNextOneToStart()
    {
        var run = new InMemoryPipeline(Config);
        var evening = new DateTimeOffset(2026, 3, 10, 17, 30, 5, TimeSpan.Zero);

        var decision = run.Apply(Search, "ALARM", evening);
        run.AdvanceTo(new DateTimeOffset(2026, 3, 11, 8, 1, 0, TimeSpan.Zero));

        // 09:00 Berlin on Wednesday is 08:00Z.
        Assert.Equal("suppressed: outside active time interval business-hours until 2026-03-11T08:00:00Z", decision.Reason);
        var sent = Assert.Single(run.Sent);
        Assert.Equal(("team", "trigger", new DateTimeOffset(2026, 3, 11, 8, 0, 0, TimeSpan.Zero)), (sent.Delivery.Receiver, sent.Delivery.Action, sent.At));
    }

    [Fact]
    public void Decide_WhenNoRouteIsMuted_ShouldNotifyAsBefore()
    {
        var run = new InMemoryPipeline(Config);

        var decision = run.Apply(Checkout, "ALARM", MuteEnd.AddMinutes(5));

        Assert.Equal("notify: trigger to oncall, team", decision.Reason);
    }

    [Fact]
    public void Tick_WhenTheMuteEndsForAGroupedRoute_ShouldReleaseItsAlertsInOneDigest()
    {
        var run = new InMemoryPipeline(Config.Replace("  groupWait: 0s\n", "  groupWait: 30s\n", StringComparison.Ordinal));
        run.Apply(Billing, "ALARM", T0);
        run.Apply("billing-db-errors", "ALARM", T0.AddSeconds(5));

        run.AdvanceTo(MuteEnd.AddMinutes(2));

        // Released together at the mute's end, they join their group's flush, as at the end of a silence.
        var sent = Assert.Single(run.Sent);
        Assert.Equal(("team", "digest", MuteEnd), (sent.Delivery.Receiver, sent.Delivery.Action, sent.At));
        Assert.Equal(["team"], run.State(Billing)!.ToldFiring);
    }
}
