using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Silences;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>Silences: a muted alert is recorded with the silence that muted it, and sent only if it outlives the silence.</summary>
public class SilenceTests
{
    private const string Billing = "billing-api-5xx";

    private static Silence Silence(string id, Dictionary<string, string> matchers, TimeSpan length) => new()
    {
        Id = id,
        Matchers = matchers,
        StartsAt = T0.AddMinutes(-5),
        EndsAt = T0 + length,
        CreatedBy = "alice",
        Comment = "deploy window",
    };

    [Fact]
    public void Decide_WhenSilenceIsActive_ShouldRecordTheAlertAsSuppressedAndSendNothing()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(Silence("sil-1", new() { ["alarmName"] = Billing }, TimeSpan.FromHours(1)));

        var decision = run.Apply(Billing, "ALARM", T0);

        const string reason = "suppressed: silenced by sil-1 ({alarmName=billing-api-5xx} until 2026-03-10T10:00Z by alice: deploy window)";
        Assert.Equal((DecisionKinds.Suppressed, reason), (decision.Decision, decision.Reason));
        var state = run.State(Billing)!;
        Assert.Equal((DecisionKinds.Suppressed, reason, reason), (state.LastDecision, state.LastReason, state.Suppressed?.Reason));
        Assert.Equal(T0.AddHours(1), state.DueAt);
        Assert.Empty(run.Sent);
    }

    [Fact]
    public void Tick_WhenSilenceEndsWhileStillFiring_ShouldSendOneTrigger()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(Silence("sil-1", new() { ["alarmName"] = Billing }, TimeSpan.FromHours(1)));
        run.Apply(Billing, "ALARM", T0);

        run.AdvanceTo(T0.AddMinutes(55));
        Assert.Empty(run.Sent);
        run.AdvanceBy(TimeSpan.FromHours(1));

        var sent = Assert.Single(run.Sent);
        Assert.Equal(("tick", "team", "trigger"), (sent.By, sent.Delivery.Receiver, sent.Delivery.Action));
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 10, 1, 0, TimeSpan.Zero), sent.At);
        var state = run.State(Billing)!;
        Assert.Null(state.Suppressed);
        Assert.Equal(DecisionKinds.Notify, state.LastDecision);
        Assert.Equal("notify: no longer suppressed (silenced by sil-1 ({alarmName=billing-api-5xx} until 2026-03-10T10:00Z by alice: deploy window) ended)", state.LastReason);
    }

    [Fact]
    public void Decide_WhenAlertResolvesInsideTheSilence_ShouldNeverSendIt()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(Silence("sil-1", new() { ["alarmName"] = Billing }, TimeSpan.FromHours(1)));
        run.Apply(Billing, "ALARM", T0);

        var ok = run.Apply(Billing, "OK", T0.AddMinutes(20));
        run.AdvanceBy(TimeSpan.FromHours(6));

        Assert.Equal((DecisionKinds.Recorded, "recorded: billing-api-5xx resolved while suppressed; it was never sent"), (ok.Decision, ok.Reason));
        Assert.Empty(run.Sent);
        Assert.Null(run.State(Billing)!.DueAt);
    }

    [Fact]
    public void Decide_WhenSilenceHasRegexMatchers_ShouldMuteEveryMatchingAlertAndNoOther()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(Silence("sil-2", new() { ["alarmName"] = "~^billing-", ["severity"] = "warning" }, TimeSpan.FromHours(2)));

        var muted = new[] { "billing-api-5xx", "billing-db-errors" }.Select(n => run.Apply(n, "ALARM", T0)).ToList();
        run.Apply("checkout-api-5xx", "ALARM", T0.AddSeconds(1));

        Assert.All(muted, d => Assert.Equal("suppressed: silenced by sil-2 ({alarmName=~^billing-, severity=warning} until 2026-03-10T11:00Z by alice: deploy window)", d.Reason));
        Assert.Equal([("oncall", "trigger", "checkout-api-5xx"), ("team", "trigger", "checkout-api-5xx")], run.Deliveries());
    }

    [Fact]
    public void Decide_WhenSilenceHasNotStartedOrHasEnded_ShouldNotify()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(new Silence { Id = "ended", Matchers = new Dictionary<string, string> { ["alarmName"] = Billing }, StartsAt = T0.AddHours(-1), EndsAt = T0, CreatedBy = "bob", Comment = "last night" });
        run.Silences.Add(new Silence { Id = "later", Matchers = new Dictionary<string, string> { ["alarmName"] = Billing }, StartsAt = T0.AddHours(1), EndsAt = T0.AddHours(2), CreatedBy = "bob", Comment = "tonight" });

        var decision = run.Apply(Billing, "ALARM", T0);

        Assert.Equal("notify: trigger to team", decision.Reason);
    }

    [Fact]
    public void Decide_WhenSilenceHasNegativeExpressions_ShouldMuteEveryAlertButTheExcludedOnes()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(new Silence
        {
            Id = "sil-n", Matchers = new Dictionary<string, string>(), Expressions = ["alarmName!=checkout-db-errors", "alarmName!~search-.*"],
            StartsAt = T0.AddMinutes(-5), EndsAt = T0.AddHours(1), CreatedBy = "alice", Comment = "storm",
        });

        var billing = run.Apply(Billing, "ALARM", T0);
        var db = run.Apply("checkout-db-errors", "ALARM", T0.AddSeconds(10));
        var search = run.Apply("search-latency", "ALARM", T0.AddSeconds(20));

        Assert.Equal("suppressed: silenced by sil-n ({alarmName!=checkout-db-errors, alarmName!~search-.*} until 2026-03-10T10:00Z by alice: storm)", billing.Reason);
        Assert.NotEqual(DecisionKinds.Suppressed, db.Decision);
        Assert.NotEqual(DecisionKinds.Suppressed, search.Decision);
    }

    [Fact]
    public void Decide_WhenAStoredExpressionCannotBeRead_ShouldMuteNothing()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(new Silence
        {
            Id = "sil-bad", Matchers = new Dictionary<string, string> { ["alarmName"] = Billing }, Expressions = ["service!broken"],
            StartsAt = T0.AddMinutes(-5), EndsAt = T0.AddHours(1), CreatedBy = "alice", Comment = "corrupt",
        });

        Assert.Equal("notify: trigger to team", run.Apply(Billing, "ALARM", T0).Reason);
    }
}
