using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.ErrorBudgets;

namespace OpsPipeline.Core.Tests.ErrorBudgets;

/// <summary>
/// An SLO's pages as one incident per receiver (issue 16): burn alerts to a PagerDuty receiver share the SLO's key and
/// resolve as a whole; a burn alert to the team inside an open incident is folded into it; its end tells the cost.
/// </summary>
public class SloIncidentTests
{
    private static readonly DateTimeOffset T = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly IncidentReceivers Receivers = new(r => r == "oncall", "team");

    // 99.9% over 30d: 43.2 minutes of budget. 14.4x over 1h/5m and 6x over 6h/30m page; 1x over 3d/6h goes to the team.
    private static readonly SloConfig Slo = new()
    {
        Name = "checkout-availability",
        Objective = 99.9,
        Window = TimeSpan.FromDays(30),
        Alarms = ["a", "b"],
        BurnAlerts =
        [
            new(TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), 14.4, "oncall"),
            new(TimeSpan.FromHours(6), TimeSpan.FromMinutes(30), 6, "oncall"),
            new(TimeSpan.FromDays(3), TimeSpan.FromHours(6), 1, "team"),
        ],
    };

    private static BudgetState Apply(BudgetState s, string alarm, bool inAlarm, int minute) =>
        BudgetLedger.Apply(s, alarm, inAlarm, T.AddMinutes(minute), Slo, new Dictionary<string, string> { ["severity"] = "critical" });

    /// <summary>Evaluates every minute from <paramref name="from"/> to <paramref name="to"/>, as the Tick does; the notices in order with their minute.</summary>
    private static (BudgetState State, List<(int Minute, BudgetNotice Notice)> Told) Tick(BudgetState s, int from, int to)
    {
        var told = new List<(int, BudgetNotice)>();
        for (var m = from; m <= to; m++)
        {
            var (next, notices) = BudgetEvaluator.Evaluate(s, Slo, T.AddMinutes(m), incidents: Receivers);
            told.AddRange(notices.Select(n => (m, n)));
            s = next;
        }

        return (s, told);
    }

    [Fact]
    public void Incident_WhenTheAlarmBurnsFor30Minutes_ShouldUpdateOneKeyResolveOnceWhenEverythingIsQuietAndTellTheCost()
    {
        var s = Apply(BudgetState.Empty(Slo.Name), "a", true, 0);
        Assert.Equal(T, s.IncidentSince); // the alarm opened it

        var (during, firing) = Tick(s, 1, 29);
        var (after, ending) = Tick(Apply(during, "a", false, 30), 30, 70);

        // Both paging burn alerts update the one incident; the team's 1x alert is folded, not told.
        Assert.Equal([BudgetNotice.BurnFiring, BudgetNotice.BurnFiring], firing.Select(t => t.Notice.Kind));
        Assert.All(firing, t => Assert.Equal(("oncall", "slo:checkout-availability"), (t.Notice.Receiver, t.Notice.IncidentKey)));
        Assert.All(firing, t => Assert.Equal(["a"], t.Notice.InAlarm));
        Assert.Equal(["critical"], firing[0].Notice.AlarmSeverities);
        Assert.Contains(during.Episodes, e => e.Id == "3d/6h@1x" && e.FiringSince is not null && e.Folded);
        Assert.Equal(["oncall"], during.Paged);

        // The 14.4x alert resolves at 09:35 and says nothing; at 10:00 the 6x window is clean: one resolve, then the cost.
        Assert.Equal([(60, BudgetNotice.IncidentResolved, "oncall"), (60, BudgetNotice.IncidentEnded, "team")],
            ending.Select(t => (t.Minute, t.Notice.Kind, t.Notice.Receiver)));
        Assert.Equal("slo:checkout-availability", ending[0].Notice.IncidentKey);
        Assert.Equal(30 / 43.2, ending[1].Notice.IncidentConsumed, 6);
        Assert.Equal(T, ending[1].Notice.IncidentSince);
        Assert.Empty(after.Paged);
        Assert.Null(after.IncidentSince);
    }

    [Fact]
    public void Incident_WhenBurnAlertsResolveWhileAnotherAlarmStillFires_ShouldStayOpenUntilThatAlarmIsOk()
    {
        var s = Apply(Apply(BudgetState.Empty(Slo.Name), "a", true, 0), "b", true, 2);
        var (during, _) = Tick(Apply(s, "a", false, 10), 1, 10);

        // b fires on: the incident has something behind it however the burn windows look.
        var (stillOpen, none) = Tick(during, 11, 15);
        Assert.DoesNotContain(none, t => t.Notice.Kind is BudgetNotice.IncidentResolved or BudgetNotice.IncidentEnded);
        Assert.Equal(["oncall"], stillOpen.Paged);

        var (_, ending) = Tick(Apply(stillOpen, "b", false, 16), 16, 60);
        Assert.Equal(BudgetNotice.IncidentResolved, ending.Single(t => t.Notice.Receiver == "oncall").Notice.Kind);
        Assert.Equal(BudgetNotice.IncidentEnded, ending.Single(t => t.Notice.Receiver == "team").Notice.Kind);
    }

    [Fact]
    public void Incident_WhenAnAlarmResolveWasHandedOverAndNoBurnAlertFired_ShouldResolveAtTheNextTick()
    {
        // A short blip: the alarm paged and resolved before any burn alert could fire; Decide handed its resolve over.
        var blip = BudgetLedger.Apply(Apply(BudgetState.Empty(Slo.Name), "a", true, 0), "a", false, T.AddSeconds(30), Slo);
        var s = blip.WithPaged("oncall");

        var (after, told) = BudgetEvaluator.Evaluate(s, Slo, T.AddMinutes(1), incidents: Receivers);

        Assert.Equal([BudgetNotice.IncidentResolved, BudgetNotice.IncidentEnded], told.Select(n => n.Kind));
        Assert.Equal(0.5 / 43.2, told[1].IncidentConsumed, 6);
        Assert.Empty(after.Paged);
        Assert.Same(s, s.WithPaged("oncall")); // handing a resolve over twice (a retried Decide) is handing it over once
    }

    [Fact]
    public void Incident_WhenAnAlarmStillHasTheReceiverToldItFires_ShouldNotResolveOrEndYet()
    {
        // A flapping alarm not yet settled: OK now, but its notification log still says oncall was told it fires.
        var blip = BudgetLedger.Apply(Apply(BudgetState.Empty(Slo.Name), "a", true, 0), "a", false, T.AddSeconds(30), Slo);
        var s = blip.WithPaged("oncall");

        var (held, none) = BudgetEvaluator.Evaluate(s, Slo, T.AddMinutes(1), incidents: Receivers with { StillTold = new HashSet<string> { "oncall" } });
        var (_, later) = BudgetEvaluator.Evaluate(held, Slo, T.AddMinutes(2), incidents: Receivers);

        Assert.Empty(none);
        Assert.Equal(["oncall"], held.Paged);
        Assert.NotNull(held.IncidentSince);
        Assert.Equal([BudgetNotice.IncidentResolved, BudgetNotice.IncidentEnded], later.Select(n => n.Kind));
    }

    [Fact]
    public void Incident_WhenOnlyTheTeamsSlowBurnFires_ShouldTellItOnceAndEndWithTheCostNotWithItsResolve()
    {
        // Five bad minutes two hours ago, no incident open: no paging window burns now, but the 3d/6h ticket does.
        var s = BudgetState.Empty(Slo.Name) with { Intervals = [new BadInterval(T.AddMinutes(-120), T.AddMinutes(-115))] };

        var (firing, told) = BudgetEvaluator.Evaluate(s, Slo, T, incidents: Receivers);
        var (_, ending) = BudgetEvaluator.Evaluate(firing, Slo, T.AddMinutes(250), incidents: Receivers); // its 6h window is clean

        var notice = Assert.Single(told);
        Assert.Equal((BudgetNotice.BurnFiring, "team", (string?)null), (notice.Kind, notice.Receiver, notice.IncidentKey));
        Assert.Equal(T.AddMinutes(-120), firing.IncidentSince); // the incident it opened began with its bad time
        var end = Assert.Single(ending);
        Assert.Equal((BudgetNotice.IncidentEnded, "team"), (end.Kind, end.Receiver));
        Assert.Equal(5 / 43.2, end.IncidentConsumed, 6);
    }

    [Fact]
    public void Evaluate_WithoutIncidentReceivers_ShouldKeepEachBurnAlertItsOwnNotice()
    {
        var s = Apply(BudgetState.Empty(Slo.Name), "a", true, 0);

        var (_, told) = BudgetEvaluator.Evaluate(s, Slo, T.AddMinutes(5));

        Assert.Equal(3, told.Count);
        Assert.All(told, n => Assert.Null(n.IncidentKey));
        Assert.Contains(told, n => n.Key == "slo:checkout-availability:1h/5m@14.4x");
    }
}
