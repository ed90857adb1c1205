using OpsPipeline.Core.Alerts;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Decisions;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// Transitions of one alarm, one a minute (distinct state timestamps), and the order EventBridge delivers them in:
/// <see cref="Arrivals"/> holds indexes into <see cref="States"/>, every one at least once, some more than once.
/// </summary>
public sealed record EventHistory(IReadOnlyList<string> States, IReadOnlyList<int> Arrivals)
{
    public override string ToString() => $"states [{string.Join(", ", States)}] arriving as [{string.Join(", ", Arrivals)}]";
}

/// <summary>FsCheck generator: histories of one to seven transitions (enough to flap with changes: 4).</summary>
public static class EventHistories
{
    public static Arbitrary<EventHistory> Histories() => Of(7).ToArbitrary();

    public static Gen<EventHistory> Of(int maxTransitions) =>
        from n in Gen.Choose(1, maxTransitions)
        from states in Gen.Elements("ALARM", "OK", "INSUFFICIENT_DATA").ArrayOf(n)
        from duplicates in Gen.Choose(0, n - 1).ArrayOf()
        from arrivals in Gen.Shuffle(Enumerable.Range(0, n).Concat(duplicates.Take(2 * n)))
        select new EventHistory(states, arrivals);
}

/// <summary>FsCheck generator: histories too short to flap (at most three transitions).</summary>
public static class ShortEventHistories
{
    public static Arbitrary<EventHistory> Histories() => EventHistories.Of(3).ToArbitrary();
}

/// <summary>Order and duplication must not matter: EventBridge promises neither order nor exactly-once.</summary>
public class OrderingProperties
{
    private const string Billing = "billing-api-5xx";

    /// <summary>Applies the arrivals 20 s apart, after every transition happened, then lets two hours pass (flapping ends).</summary>
    private static (InMemoryPipeline Run, List<(int Transition, DecideResult Decision)> Decisions) Play(EventHistory history, IEnumerable<int> arrivals)
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        var firstArrival = T0.AddMinutes(history.States.Count);
        var decisions = arrivals.Select((t, i) =>
            (t, run.Apply(Billing, history.States[t], T0.AddMinutes(t), id: $"evt-{t}", receivedAt: firstArrival.AddSeconds(20 * i)))).ToList();
        run.AdvanceBy(TimeSpan.FromHours(2));
        return (run, decisions);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(EventHistories)])]
    public bool Decide_WhenTransitionsArriveInAnyOrderWithDuplicates_ShouldEndWhereTheOrderedRunEnds(EventHistory history)
    {
        var (ordered, _) = Play(history, Enumerable.Range(0, history.States.Count));
        var (shuffled, decisions) = Play(history, history.Arrivals);

        var expected = ordered.State(Billing)!;
        var actual = shuffled.State(Billing)!;
        return (actual.State, actual.StateTimestamp) == (expected.State, expected.StateTimestamp)
            && (actual.State.Wire(), actual.StateTimestamp) == (history.States[^1], T0.AddMinutes(history.States.Count - 1));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(ShortEventHistories)])]
    public void Decide_WhenTransitionsArriveInAnyOrderWithDuplicates_ShouldNeverNotifyMoreThanTheOrderedRun(EventHistory history) =>
        AssertNoMoreThanOrdered(history);

    /// <summary>
    /// The same over histories long enough to flap. It found that counting INSUFFICIENT_DATA as a flapping change let a
    /// late arrival cross the threshold at a different point (states [INSUFFICIENT_DATA, ALARM, INSUFFICIENT_DATA, OK,
    /// ALARM] arriving as [1, 2, 0, 3, 4] sent trigger, resolve, flapping, trigger against the ordered trigger,
    /// flapping, trigger); flapping now counts only firing/resolved changes.
    /// </summary>
    [Property(MaxTest = 500, Arbitrary = [typeof(EventHistories)])]
    public void Decide_WhenLongHistoriesArriveInAnyOrderWithDuplicates_ShouldNeverNotifyMoreThanTheOrderedRun(EventHistory history) =>
        AssertNoMoreThanOrdered(history);

    private static void AssertNoMoreThanOrdered(EventHistory history)
    {
        var (ordered, _) = Play(history, Enumerable.Range(0, history.States.Count));
        var (shuffled, decisions) = Play(history, history.Arrivals);

        // Per (action, transition) the shuffled run may differ — the first firing transition it sees triggers — but in
        // total it sends at most what the ordered run sends.
        Assert.True(shuffled.Sent.Count <= ordered.Sent.Count, $"{Describe(shuffled)} sent more than the ordered {Describe(ordered)}");

        // A transition is notified at most once, and a redelivered event id never notifies.
        Assert.All(decisions.GroupBy(d => d.Transition), t => Assert.True(t.Count(d => d.Decision.Deliveries.Count > 0) <= 1));
        var seen = new HashSet<int>();
        Assert.All(decisions, d =>
        {
            if (!seen.Add(d.Transition))
            {
                Assert.Equal(DecisionKinds.Duplicate, d.Decision.Decision);
                Assert.Empty(d.Decision.Deliveries);
            }
        });
    }

    [Property(MaxTest = 200)]
    public bool Decide_WhenIdenticalEventsRaceOnOneStoredVersion_ShouldNotifyExactlyOnce(PositiveInt workers, NonNegativeInt[] schedule, bool sameId)
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        var n = 2 + (workers.Get % 7);
        var alerts = Enumerable.Range(0, n).Select(i => run.Alert("checkout-api-5xx", "ALARM", T0, id: sameId ? "evt-1" : $"evt-{i}")).ToList();

        var decisions = run.ApplyInterleaved(alerts, schedule.Select(s => s.Get));

        return run.Deliveries().SequenceEqual([("oncall", "trigger", "checkout-api-5xx"), ("team", "trigger", "checkout-api-5xx")])
            && decisions.Count(d => d.Decision == DecisionKinds.Notify) == 1
            && run.State("checkout-api-5xx")!.Version == (sameId ? 1 : n);
    }

    [Fact]
    public void Decide_WhenAllIdenticalEventsReadBeforeAnyWrites_ShouldNotifyOnceAndReportTheRestAsDuplicates()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        var alerts = Enumerable.Range(0, 5).Select(_ => run.Alert("checkout-api-5xx", "ALARM", T0, id: "evt-1")).ToList();

        // Everyone reads version 0, then everyone decides and writes: the first write wins, the rest re-read.
        var decisions = run.ApplyInterleaved(alerts, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);

        Assert.Equal([DecisionKinds.Notify, .. Enumerable.Repeat(DecisionKinds.Duplicate, 4)], decisions.Select(d => d.Decision));
        Assert.Equal(2, run.Sent.Count);
    }

    private static string Describe(InMemoryPipeline run) => "[" + string.Join(", ", run.Sent.Select(s => $"{s.At:HH:mm:ss} {s.Delivery.Action}")) + "]";
}
