using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Silences;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// An alert's decision history (issue 18, `opsctl alert explain`): written by the commit that makes each decision,
/// by Decide and by the Tick alike, and bounded.
/// </summary>
public class DecisionHistoryTests
{
    private const string Billing = "billing-export-lag"; // a warning: team only

    [Fact]
    public void History_WhenASilencedAlertIsReleasedAndResolves_ShouldRecordEachDecisionWithWhoWasToldAndWhatMutedIt()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(new Silence
        {
            Id = "sil-1", Matchers = new Dictionary<string, string> { ["alarmName"] = Billing },
            StartsAt = T0.AddMinutes(-5), EndsAt = T0.AddMinutes(10), CreatedBy = "alice", Comment = "deploy",
        });

        run.Apply(Billing, "ALARM", T0, id: "evt-alarm");
        run.AdvanceBy(TimeSpan.FromMinutes(15)); // the silence ends: the Tick sends it
        run.Apply(Billing, "OK", T0.AddMinutes(20), id: "evt-ok");
        run.Apply(Billing, "OK", T0.AddMinutes(20), id: "evt-ok"); // a redelivery writes nothing, so adds nothing

        var history = run.State(Billing)!.History;
        Assert.Equal(
        [
            (T0, "ALARM at 2026-03-10T09:00:05Z (event evt-alarm)", "suppressed", ""),
            (new DateTimeOffset(2026, 3, 10, 9, 11, 0, TimeSpan.Zero), "tick", "notify", "team"),
            (T0.AddMinutes(20), "OK at 2026-03-10T09:20:05Z (event evt-ok)", "notify", "team"),
        ], history.Select(h => (h.At, h.On, h.Decision, string.Join(",", h.Told))));
        Assert.Equal("silenced by sil-1 ({alarmName=billing-export-lag} until 2026-03-10T09:10Z by alice: deploy)", history[0].MutedBy);
        Assert.Equal([null, null], history.Skip(1).Select(h => h.MutedBy));
        Assert.StartsWith("suppressed: silenced by sil-1", history[0].Reason, StringComparison.Ordinal);
        Assert.Equal($"notify: no longer suppressed ({history[0].MutedBy} ended)", history[1].Reason);
        Assert.Equal(history[^1].Reason, run.State(Billing)!.LastReason);
    }

    [Fact]
    public void History_WhenMoreDecisionsThanRememberedAreMade_ShouldKeepTheNewestInOrder()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        // An hour apart, so none of them is flapping: 12 decisions, each a notify.
        for (var i = 0; i < 12; i++)
        {
            run.Apply(Billing, i % 2 == 0 ? "ALARM" : "OK", T0.AddHours(i), id: $"evt-{i}");
        }

        var history = run.State(Billing)!.History;
        Assert.Equal(DecisionHistory.Remembered, history.Count);
        Assert.Equal([.. Enumerable.Range(2, 10).Select(i => $"(event evt-{i})")], history.Select(h => h.On[h.On.IndexOf('(', StringComparison.Ordinal)..]));
    }

    [Fact]
    public void Append_WhenARecordIsOversized_ShouldCutItsReasonOriginAndReceiversToTheBounds()
    {
        var state = new AlertState { Key = "k", State = AlarmState.Alarm, StateTimestamp = T0, LastDecision = "notify", LastReason = "x" };
        var record = new DecisionRecord(T0, new string('o', 500), "notify", new string('r', 1000), [.. Enumerable.Range(0, 20).Select(i => $"receiver-{i}")], new string('m', 400));

        var kept = Assert.Single(DecisionHistory.Append(state, record).History);

        Assert.Equal((DecisionHistory.MaxOnLength, DecisionHistory.MaxReasonLength, DecisionHistory.MaxTold, DecisionHistory.MaxReasonLength),
            (kept.On.Length, kept.Reason.Length, kept.Told.Count, kept.MutedBy!.Length));
        Assert.EndsWith("r…", kept.Reason, StringComparison.Ordinal);
        Assert.Equal("receiver-7", kept.Told[^1]);
    }

    [Fact]
    public void AfterTick_WhenAChangeSendsNothingAndKeepsTheDecision_ShouldAddNoRecord()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply(Billing, "ALARM", T0, id: "evt-alarm");
        var state = run.State(Billing)!;
        var alert = run.Alert(Billing, "ALARM", T0);
        var bookkeeping = new TickChange(state, state with { Version = state.Version + 1, DueAt = T0.AddHours(1) }, alert, []);
        var released = new TickChange(state, state with { Version = state.Version + 1, LastReason = "notify: repeat to team" }, alert, [new Notification("repeat", "team", alert)]);

        Assert.Equal(state.History, DecisionHistory.AfterTick(bookkeeping, T0.AddMinutes(1)).History);
        var added = DecisionHistory.AfterTick(released, T0.AddMinutes(1)).History;
        Assert.Equal(state.History.Count + 1, added.Count);
        Assert.Equal(("tick", "notify: repeat to team", "team"), (added[^1].On, added[^1].Reason, string.Join(",", added[^1].Told)));
    }
}
