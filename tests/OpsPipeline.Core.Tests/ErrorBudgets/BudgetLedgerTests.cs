using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.ErrorBudgets;

namespace OpsPipeline.Core.Tests.ErrorBudgets;

/// <summary>Interval arithmetic and burn-rate math against hand-computed cases.</summary>
public class BudgetLedgerTests
{
    private static readonly DateTimeOffset T = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static SloConfig Slo(params BurnAlertConfig[] alerts) => new()
    {
        Name = "checkout-availability",
        Objective = 99.9,
        Window = TimeSpan.FromDays(30),
        Alarms = ["a", "b"],
        BurnAlerts = alerts.Length > 0 ? alerts : [new(TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), 14.4, "oncall")],
    };

    private static BudgetState Play(SloConfig slo, params (string Alarm, bool InAlarm, int Minute)[] transitions) =>
        transitions.Aggregate(BudgetState.Empty(slo.Name), (s, t) => BudgetLedger.Apply(s, t.Alarm, t.InAlarm, T.AddMinutes(t.Minute), slo));

    [Fact]
    public void Budget_When999Over30Days_ShouldBe43Point2Minutes()
    {
        Assert.Equal(43.2, BudgetLedger.Budget(Slo()).TotalMinutes, 6);
    }

    [Fact]
    public void BadTime_WhenOneAlarmFiresFor30Minutes_ShouldConsume30Of43Point2()
    {
        var slo = Slo();
        var s = Play(slo, ("a", true, 0), ("a", false, 30));

        Assert.Equal(30, BudgetLedger.BadTime(s, T.AddDays(-1), T.AddHours(1)).TotalMinutes, 6);
        Assert.Equal(30 / 43.2, BudgetLedger.Consumed(s, slo, T.AddMinutes(30)), 6);
        Assert.Equal(500, BudgetLedger.BurnRate(s, slo, TimeSpan.FromHours(1), T.AddMinutes(30)), 6);   // (30/60)/0.001
        Assert.Equal(1000, BudgetLedger.BurnRate(s, slo, TimeSpan.FromMinutes(5), T.AddMinutes(30)), 6); // (5/5)/0.001
        Assert.Equal(0, BudgetLedger.BurnRate(s, slo, TimeSpan.FromMinutes(5), T.AddMinutes(35)), 6);
    }

    [Fact]
    public void BadTime_WhenAlarmsOverlap_ShouldCountTheOverlapOnce()
    {
        // a 10:00-10:30, b 10:15-10:45: 45 minutes of bad time, not 60.
        var s = Play(Slo(), ("a", true, 0), ("b", true, 15), ("a", false, 30), ("b", false, 45));

        Assert.Equal(45, BudgetLedger.BadTime(s, T.AddHours(-1), T.AddHours(2)).TotalMinutes, 6);
        Assert.Single(s.Intervals);
    }

    [Theory]
    [InlineData(-10, 20, 20)] // interval straddles the window start: only its inside part counts
    [InlineData(5, 20, 15)]
    [InlineData(25, 40, 5)]   // straddles the end
    [InlineData(31, 40, 0)]
    public void BadTime_WhenTheWindowCutsTheInterval_ShouldCountOnlyTheInside(int fromMinute, int toMinute, double expected)
    {
        var s = Play(Slo(), ("a", true, 0), ("a", false, 30));

        Assert.Equal(expected, BudgetLedger.BadTime(s, T.AddMinutes(fromMinute), T.AddMinutes(toMinute)).TotalMinutes, 6);
    }

    [Fact]
    public void BadTime_WhenTheAlarmIsStillFiring_ShouldCountUpToNow()
    {
        var slo = Slo();
        var s = Play(slo, ("a", true, 0));

        Assert.Equal(12, BudgetLedger.BadTime(s, T.AddHours(-1), T.AddMinutes(12)).TotalMinutes, 6);
        Assert.Equal(12 / 43.2, BudgetLedger.Consumed(s, slo, T.AddMinutes(12)), 6);
    }

    [Fact]
    public void Apply_WhenATransitionIsOlderOrRepeated_ShouldChangeNothing()
    {
        var slo = Slo();
        var s = Play(slo, ("a", true, 0), ("a", false, 30));

        Assert.Same(s, BudgetLedger.Apply(s, "a", true, T.AddMinutes(10), slo));   // late ALARM from before the OK
        Assert.Same(s, BudgetLedger.Apply(s, "a", false, T.AddMinutes(30), slo));  // the same OK again
    }

    [Fact]
    public void Apply_WhenIntervalsAreOlderThanTheWindow_ShouldDropThem()
    {
        var slo = Slo() with { Window = TimeSpan.FromDays(1) };
        var s = Play(slo, ("a", true, 0), ("a", false, 10), ("a", true, 2 * 24 * 60), ("a", false, (2 * 24 * 60) + 5));

        var interval = Assert.Single(s.Intervals);
        Assert.Equal(T.AddDays(2), interval.Start);
    }

    [Fact]
    public void Evaluate_WhenBothWindowsBurn_ShouldFireOncePerEpisodeAndResolveWhenTheShortWindowDrops()
    {
        var slo = Slo();
        var s = Play(slo, ("a", true, 0), ("a", false, 30));

        var (atFive, fired) = BudgetEvaluator.Evaluate(s, slo, T.AddMinutes(5));
        var (atTen, again) = BudgetEvaluator.Evaluate(atFive, slo, T.AddMinutes(10));
        var (_, resolved) = BudgetEvaluator.Evaluate(atTen, slo, T.AddMinutes(35));

        var notice = Assert.Single(fired);
        Assert.Equal(BudgetNotice.BurnFiring, notice.Kind);
        Assert.Equal(5.0 / 60 / 0.001, notice.LongRate, 6); // 5 bad minutes of 60: 83.3x
        Assert.Equal(1000, notice.ShortRate, 6);
        Assert.Empty(again);
        Assert.Equal(BudgetNotice.BurnResolved, Assert.Single(resolved).Kind);
    }

    [Fact]
    public void Evaluate_WhenOnlyTheLongWindowBurns_ShouldNotFire()
    {
        // 10 bad minutes an hour ago: 1h burn 166x, 5m burn 0.
        var slo = Slo();
        var s = Play(slo, ("a", true, 0), ("a", false, 10));

        Assert.Empty(BudgetEvaluator.Evaluate(s, slo, T.AddMinutes(50)).Notices);
    }

    [Fact]
    public void Evaluate_WhenTheBudgetIsSpent_ShouldSayExhaustedOnceUntilItRecovers()
    {
        var slo = Slo() with { Window = TimeSpan.FromDays(1) }; // 1.44 minutes of budget
        var s = Play(slo, ("a", true, 0), ("a", false, 2));

        var (once, first) = BudgetEvaluator.Evaluate(s, slo, T.AddMinutes(3));
        var (_, second) = BudgetEvaluator.Evaluate(once, slo, T.AddMinutes(4));

        Assert.Contains(first, n => n.Kind == BudgetNotice.Exhausted && n.Receiver == "oncall" && n.Consumed >= 1);
        Assert.DoesNotContain(second, n => n.Kind == BudgetNotice.Exhausted);
    }

    [Fact]
    public void Evaluate_WhenASilenceHoldsTheFiring_ShouldNeitherTellNorRecordItAndTellItOnceTheHoldEnds()
    {
        var slo = Slo();
        var s = Play(slo, ("a", true, 0), ("a", false, 30));
        var asked = new List<BudgetNotice>();

        var (held, none) = BudgetEvaluator.Evaluate(s, slo, T.AddMinutes(5), n => { asked.Add(n); return true; });
        var (told, fired) = BudgetEvaluator.Evaluate(held, slo, T.AddMinutes(10));

        Assert.Empty(none);
        Assert.Equal(BudgetNotice.BurnFiring, Assert.Single(asked).Kind);
        Assert.All(held.Episodes, e => Assert.Null(e.FiringSince)); // not recorded: the next tick evaluates afresh
        var notice = Assert.Single(fired);
        Assert.Equal(BudgetNotice.BurnFiring, notice.Kind);
        Assert.Equal(10.0 / 60 / 0.001, notice.LongRate, 6); // told with the numbers of when it is told
        Assert.Equal(T.AddMinutes(10), Assert.Single(told.Episodes, e => e.FiringSince is not null).FiringSince);
    }

    [Fact]
    public void Evaluate_WhenTheBurnPassesWhileHeld_ShouldNeverTellIt()
    {
        var slo = Slo();
        var s = Play(slo, ("a", true, 0), ("a", false, 10));

        var (held, first) = BudgetEvaluator.Evaluate(s, slo, T.AddMinutes(5), _ => true);
        var (_, later) = BudgetEvaluator.Evaluate(held, slo, T.AddMinutes(20)); // the 5m window is clean again

        Assert.Empty(first);
        Assert.Empty(later); // no page, and no resolve of a page nobody got
    }

    [Fact]
    public void Evaluate_WhenAPageWasSentAndASilenceMatchesTheResolve_ShouldStillSendTheResolve()
    {
        var slo = Slo();
        var s = Play(slo, ("a", true, 0), ("a", false, 30));
        var (fired, _) = BudgetEvaluator.Evaluate(s, slo, T.AddMinutes(5));

        var (_, resolved) = BudgetEvaluator.Evaluate(fired, slo, T.AddMinutes(35), _ => true);

        Assert.Equal(BudgetNotice.BurnResolved, Assert.Single(resolved).Kind);
    }

    [Fact]
    public void Evaluate_WhenExhaustionIsHeld_ShouldTellItOnceTheHoldEnds()
    {
        var slo = Slo() with { Window = TimeSpan.FromDays(1) }; // 1.44 minutes of budget
        var s = Play(slo, ("a", true, 0), ("a", false, 2));

        var (held, first) = BudgetEvaluator.Evaluate(s, slo, T.AddMinutes(3), n => n.Kind == BudgetNotice.Exhausted);
        var (_, second) = BudgetEvaluator.Evaluate(held, slo, T.AddMinutes(4));

        Assert.DoesNotContain(first, n => n.Kind == BudgetNotice.Exhausted);
        Assert.False(held.ExhaustedNotified);
        Assert.Contains(second, n => n.Kind == BudgetNotice.Exhausted);
    }

    [Fact]
    public void Labels_OfABudgetNotice_ShouldNameTheSourceTheSloAndTheBurnAlert()
    {
        var slo = Slo();
        var s = Play(slo, ("a", true, 0));

        var notice = Assert.Single(BudgetEvaluator.Evaluate(s, slo, T.AddMinutes(5)).Notices);

        Assert.Equal(
            [new("budgetAlert", BudgetEvaluator.Id(notice.Alert!)), new("slo", slo.Name), new KeyValuePair<string, string>("source", "slo")],
            notice.Labels.ToArray());
        Assert.Equal("exhausted", (notice with { Kind = BudgetNotice.Exhausted, Alert = null }).Labels["budgetAlert"]);
    }
}
