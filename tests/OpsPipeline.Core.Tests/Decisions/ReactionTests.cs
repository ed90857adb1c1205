using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Silences;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// Automatic reactions, decided through the real Decide use case: checkout's API alarm restarts the orders service
/// once per episode, within its guards; a drill only reports what would have run.
/// </summary>
public class ReactionTests
{
    private const string Api = "checkout-api-5xx";
    private const string Function = "arn:aws:lambda:us-east-1:123456789012:function:restart-orders";
    private const string Input = """{"service":"checkout","alarm":"checkout-api-5xx","state":"ALARM","force":true}""";

    private static string Config(string guards = "", string flapping = "{ changes: 10, window: 30m }") => DecisionConfigs.Immediate(flapping: flapping) + $$$"""

        reactions:
          - name: restart-orders
            match: { service: checkout }
            action: { lambda: { functionArn: "{{{Function}}}" } }
            input: { service: "{{labels.service}}", alarm: "{{alert.name}}", state: "{{alert.state}}", force: true }
        {{{guards}}}
        """;

    private static string Guard(string line) => "    " + line + "\n";

    [Fact]
    public void Decide_WhenAMatchingAlarmFires_ShouldRunTheReactionOnceWithItsRenderedInput()
    {
        var run = new InMemoryPipeline(Config());

        var result = run.Apply(Api, "ALARM", T0);

        var reaction = Assert.Single(result.Reactions);
        Assert.Equal(new Reaction("restart-orders", ReactionKind.Lambda, Function, Input, KeyOf(Api)) { TransitionAt = T0, DecidedAt = T0 }, reaction);
        Assert.Equal($"{KeyOf(Api)}@2026-03-10T09:00:05Z", reaction.RunId);
        Assert.Contains("reaction restart-orders: runs (first run this episode)", result.Path);
        Assert.Equal([new ReactionRun("restart-orders", T0, T0)], run.State(Api)!.ReactionRuns);
        Assert.Single(run.Reacted);
    }

    [Fact]
    public void Decide_WhenTheAlarmDoesNotMatch_ShouldNameNoReaction()
    {
        var run = new InMemoryPipeline(Config());

        var result = run.Apply("billing-api-5xx", "ALARM", T0);

        Assert.Empty(result.Reactions);
        Assert.DoesNotContain(result.Path, p => p.StartsWith("reaction ", StringComparison.Ordinal));
    }

    [Fact]
    public void Decide_WhenTheSameEventArrivesTwentyTimes_ShouldRunOnce()
    {
        var run = new InMemoryPipeline(Config());

        var results = Enumerable.Range(0, 20).Select(_ => run.Apply(Api, "ALARM", T0, id: "evt-1")).ToList();

        Assert.Single(run.Reacted);
        Assert.Single(results[0].Reactions);
        Assert.All(results.Skip(1), r => Assert.Equal(DecisionKinds.Duplicate, r.Decision));
    }

    [Fact]
    public void Decide_WhenTwoDeliveriesOfOneTransitionRaceUnderOtherIds_ShouldRunOnce()
    {
        var run = new InMemoryPipeline(Config());
        var alerts = new[] { run.Alert(Api, "ALARM", T0, id: "evt-1"), run.Alert(Api, "ALARM", T0, id: "evt-2") };

        // Both read before either writes: the loser's commit fails, it decides again over the winner's state.
        run.ApplyInterleaved(alerts, [0, 1, 0, 1]);

        Assert.Single(run.Reacted);
        Assert.Single(run.ReactionLedger.Runs.Values.Single());
    }

    [Fact]
    public void Decide_WhenTheCommitFailsAndTheDecisionIsRetried_ShouldRunOnceAndCountOnce()
    {
        var run = new InMemoryPipeline(Config());
        run.FailNextCommits(1);

        Assert.Throws<InvalidOperationException>(() => run.Apply(Api, "ALARM", T0, id: "evt-1"));
        var retried = run.Apply(Api, "ALARM", T0, id: "evt-1");
        var again = run.Apply(Api, "ALARM", T0, id: "evt-1");

        Assert.Single(retried.Reactions);
        Assert.Empty(again.Reactions);
        Assert.Single(run.Reacted);
        Assert.Equal([$"{KeyOf(Api)}@2026-03-10T09:00:05Z"], run.ReactionLedger.Runs.Values.Single());
    }

    [Fact]
    public void Decide_WhenANewEpisodeStartsWithinTheCooldown_ShouldNotRunUntilItHasPassed()
    {
        var run = new InMemoryPipeline(Config(Guard("cooldown: 30m")));
        run.Apply(Api, "ALARM", T0);
        run.Apply(Api, "OK", T0.AddMinutes(5));

        var early = run.Apply(Api, "ALARM", T0.AddMinutes(10));
        run.Apply(Api, "OK", T0.AddMinutes(15));
        var late = run.Apply(Api, "ALARM", T0.AddMinutes(31));

        Assert.Empty(early.Reactions);
        Assert.Contains("reaction restart-orders: not run: cooldown until 2026-03-10T09:30:05Z", early.Path);
        Assert.Single(late.Reactions);
        Assert.Contains("reaction restart-orders: runs (first run this episode; last ran 2026-03-10T09:00:05Z, cooldown 30m passed)", late.Path);
        Assert.Equal(2, run.Reacted.Count);
    }

    [Fact]
    public void Decide_WhenMaxPerHourIsReachedAcrossAlerts_ShouldNotRunTheNextUntilTheHourTurns()
    {
        var run = new InMemoryPipeline(Config(Guard("maxPerHour: 2")));

        var first = new[] { "checkout-a", "checkout-b", "checkout-c" }.Select((n, i) => run.Apply(n, "ALARM", T0.AddMinutes(i))).ToList();
        var nextHour = run.Apply("checkout-d", "ALARM", T0.AddMinutes(60));

        Assert.Equal([1, 1, 0], first.Select(r => r.Reactions.Count));
        Assert.Contains("reaction restart-orders: not run: maxPerHour 2 reached across alerts in the hour from 2026-03-10T09:00:00Z", first[2].Path);
        Assert.DoesNotContain(first[2].Path, p => p.StartsWith("reaction restart-orders: runs", StringComparison.Ordinal));
        Assert.Empty(run.State("checkout-c")!.ReactionRuns);
        // The capped alert's own notifications say so: no extra message, and nobody thinks it ran.
        Assert.All(first[2].Deliveries.Where(d => d.Action == "trigger"), d => Assert.Contains(
            "auto-reaction restart-orders not run: its maxPerHour was reached across alerts this hour", d.Payload.GetRawText(), StringComparison.Ordinal));
        Assert.Contains(first[2].Deliveries, d => d.Action == "trigger");
        Assert.Contains("auto-reaction restart-orders started (execution restart-orders-", first[0].Deliveries.First(d => d.Action == "trigger").Payload.GetRawText(), StringComparison.Ordinal);
        Assert.Single(nextHour.Reactions);
        Assert.Equal(["checkout-a", "checkout-b", "checkout-d"], run.Reacted.Select(r => r.AlertKey[(r.AlertKey.LastIndexOf(':') + 1)..]));
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public void Decide_WhenTheAlertIsSilenced_ShouldRunOnlyEvenWhenMuted(bool evenWhenMuted, int runs)
    {
        var run = new InMemoryPipeline(Config(evenWhenMuted ? Guard("evenWhenMuted: true") : string.Empty));
        run.Silences.Add(new Silence
        {
            Id = "sil-1", Matchers = new Dictionary<string, string> { ["service"] = "checkout" }, StartsAt = T0.AddMinutes(-5), EndsAt = T0.AddHours(1), CreatedBy = "alice", Comment = "deploy",
        });

        var result = run.Apply(Api, "ALARM", T0);

        Assert.Equal(DecisionKinds.Suppressed, result.Decision);
        Assert.Equal(runs, result.Reactions.Count);
        Assert.Contains(evenWhenMuted
            ? "reaction restart-orders: runs (first run this episode)"
            : "reaction restart-orders: not run: the alert is silenced by sil-1 ({service=checkout} until 2026-03-10T10:00Z by alice: deploy)", result.Path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tick_WhenASilencedAlertIsReleasedStillFiring_ShouldReactThenOnceUnlessItRanWhenItFired(bool evenWhenMuted)
    {
        var run = new InMemoryPipeline(Config(evenWhenMuted ? Guard("evenWhenMuted: true") : string.Empty));
        run.Silences.Add(new Silence
        {
            Id = "sil-1", Matchers = new Dictionary<string, string> { ["service"] = "checkout" }, StartsAt = T0.AddMinutes(-5), EndsAt = T0.AddMinutes(20), CreatedBy = "alice", Comment = "deploy",
        });
        var fired = run.Apply(Api, "ALARM", T0);

        run.AdvanceTo(T0.AddMinutes(40));

        // Muted when it fired: it reacts when the Tick releases it (the page then says so); evenWhenMuted ran it at once,
        // and not again at the release.
        Assert.Equal(evenWhenMuted ? 1 : 0, fired.Reactions.Count);
        var reacted = Assert.Single(run.Sent, s => s.Delivery.Action == "react");
        Assert.Equal(evenWhenMuted ? "decide" : "tick", reacted.By);
        Assert.Equal(evenWhenMuted ? T0 : T0.AddMinutes(20), reacted.At, TimeSpan.FromMinutes(1));
        Assert.Equal(evenWhenMuted ? 0 : 1, run.TickPath.Count(p => p.EndsWith("reaction restart-orders: runs (released still firing, first run this episode)", StringComparison.Ordinal)));
        var pages = run.Sent.Where(s => s.Delivery.Action == DeliveryActions.Trigger && s.Delivery.AlertKey == KeyOf(Api)).ToList();
        Assert.NotEmpty(pages);
        Assert.All(pages, page => Assert.Equal("tick", page.By)); // the page waits for the silence either way
        Assert.All(pages, page => Assert.Equal(!evenWhenMuted, System.Text.Encoding.UTF8.GetString(page.Delivery.PayloadUtf8.Span).Contains("auto-reaction restart-orders started (execution restart-orders-", StringComparison.Ordinal)));
        Assert.Single(run.State(Api)!.ReactionRuns);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public void Decide_WhenTheAlertIsFlapping_ShouldRunOnlyEvenWhenMuted(bool evenWhenMuted, int runs)
    {
        var run = new InMemoryPipeline(Config(Guard("cooldown: 0s") + (evenWhenMuted ? Guard("evenWhenMuted: true") : string.Empty), flapping: "{ changes: 4, window: 30m }"));
        run.Apply(Api, "ALARM", T0);
        run.Apply(Api, "OK", T0.AddMinutes(1));
        run.Apply(Api, "ALARM", T0.AddMinutes(2));
        run.Apply(Api, "OK", T0.AddMinutes(3));
        Assert.True(run.State(Api)!.Flapping);

        var result = run.Apply(Api, "ALARM", T0.AddMinutes(4));

        Assert.Equal(runs, result.Reactions.Count);
        Assert.Contains(evenWhenMuted ? "reaction restart-orders: runs (first run this episode; last ran 2026-03-10T09:02:05Z, cooldown 0s passed)" : "reaction restart-orders: not run: the alert is flapping", result.Path);
        Assert.Equal(2 + runs, run.Reacted.Count);
    }

    [Fact]
    public void Decide_WhenTheEventIsADrill_ShouldRunNothingAndReportWhatWouldHaveRun()
    {
        var run = new InMemoryPipeline(Config());

        var result = run.Apply(run.Alert(Api, "ALARM", T0, replayName: "gameday-1"));

        Assert.Empty(result.Reactions);
        Assert.Empty(run.Reacted);
        Assert.Empty(run.ReactionLedger.Runs);
        Assert.Contains($"reaction restart-orders: drill: would run with input {Input}", result.Path);
        var row = Assert.Single(run.Reports.Drills);
        Assert.Equal([new("restart-orders", "lambda", Function, Input)], row.WouldReact);
    }

    [Fact]
    public void Decide_WhenAReactionIsOnResolved_ShouldRunOnTheOkAfterFiringOnly()
    {
        const string Dlq = "arn:aws:sqs:us-east-1:123456789012:orders-dlq";
        const string Queue = "arn:aws:sqs:us-east-1:123456789012:orders";
        var run = new InMemoryPipeline(DecisionConfigs.Immediate() + $$"""

            reactions:
              - name: redrive-orders
                match: { alarmName: billing-consumer-errors }
                on: resolved
                action: { sqsRedrive: { sourceArn: "{{Dlq}}", destinationArn: "{{Queue}}" } }
            """);

        var firstSeenOk = run.Apply("billing-consumer-errors", "OK", T0.AddMinutes(-10));
        var firing = run.Apply("billing-consumer-errors", "ALARM", T0);
        var resolved = run.Apply("billing-consumer-errors", "OK", T0.AddMinutes(20));

        Assert.Empty(firstSeenOk.Reactions);
        Assert.Empty(firing.Reactions);
        var redrive = Assert.Single(resolved.Reactions);
        Assert.Equal((ReactionKind.SqsRedrive, Dlq, Queue, $$"""{"SourceArn":"{{Dlq}}","DestinationArn":"{{Queue}}"}"""), (redrive.Kind, redrive.Target, redrive.DestinationArn, redrive.Input));
        Assert.Contains("reaction redrive-orders: runs (first run this episode)", resolved.Path);
    }

    /// <summary>What the state machine's "Record reaction" task writes once it has started the reaction.</summary>
    private static ReactionRunRecord Recorded(Reaction reaction, string recorded, string? error = null, string? cause = null) => new()
    {
        Execution = OpsPipeline.Core.Pipeline.ReactionDelivery.Of(reaction).DedupKey,
        Reaction = reaction.Name,
        Kind = reaction.Kind.Wire(),
        AlertKey = reaction.AlertKey,
        Recorded = recorded,
        Target = reaction.Target,
        Error = error,
        Cause = cause,
        StartedAt = reaction.DecidedAt,
        ReportBy = reaction.DecidedAt + reaction.OutcomeWithin,
    };

    [Fact]
    public void Tick_WhenARunIsRecordedAsFinished_ShouldTellItsOutcomeOnceToTheAlertsReceivers()
    {
        var run = new InMemoryPipeline(Config());
        var reaction = Assert.Single(run.Apply(Api, "ALARM", T0).Reactions);
        var told = Recorded(reaction, ReactionRecorded.Failed, "OrdersError", "restart refused");
        run.ReactionLedger.Started[told.Execution] = (told, T0, null);

        run.AdvanceBy(TimeSpan.FromMinutes(10));

        var outcomes = run.Sent.Where(s => s.Delivery.Action == DeliveryActions.ReactionOutcome).ToList();
        var receivers = run.Sent.Where(s => s.Delivery.Action == DeliveryActions.Trigger && s.Delivery.AlertKey == KeyOf(Api)).Select(s => s.Delivery.Receiver).ToList();
        Assert.NotEmpty(receivers);
        Assert.Equal(receivers, outcomes.Select(o => o.Delivery.Receiver));
        Assert.All(outcomes, o => Assert.Equal("tick", o.By));
        Assert.All(outcomes, o => Assert.Equal("reaction:" + told.Execution, o.Delivery.DedupKey));
        Assert.Equal("failed", run.ReactionLedger.Started[told.Execution].Told);
        Assert.Contains(run.TickPath, p => p == $"reaction restart-orders ({KeyOf(Api)}): failed (OrdersError: restart refused): told {string.Join(", ", receivers)}");
    }

    [Fact]
    public void Tick_WhenARunNeverReportsAnOutcome_ShouldTellItTimedOutAtItsDeadlineAndNotBefore()
    {
        var run = new InMemoryPipeline(Config(Guard("outcomeWithin: 15m")));
        var reaction = Assert.Single(run.Apply(Api, "ALARM", T0).Reactions);
        Assert.Equal(TimeSpan.FromMinutes(15), reaction.OutcomeWithin);
        var started = Recorded(reaction, ReactionRecorded.Started) with { Kind = "sqsRedrive" };
        run.ReactionLedger.Started[started.Execution] = (started, T0.AddMinutes(1), null);

        run.AdvanceBy(TimeSpan.FromMinutes(14));
        Assert.DoesNotContain(run.Sent, s => s.Delivery.Action == DeliveryActions.ReactionOutcome);
        Assert.True(run.ReactionLedger.Started[started.Execution].DueAt > T0.AddMinutes(13)); // looked at again each minute

        run.AdvanceBy(TimeSpan.FromMinutes(30));
        var outcomes = run.Sent.Where(s => s.Delivery.Action == DeliveryActions.ReactionOutcome).ToList();
        var receivers = run.Sent.Where(s => s.Delivery.Action == DeliveryActions.Trigger && s.Delivery.AlertKey == KeyOf(Api)).Select(s => s.Delivery.Receiver).ToList();
        Assert.Equal(receivers, outcomes.Select(o => o.Delivery.Receiver));
        Assert.All(outcomes, o => Assert.True(o.At >= reaction.DecidedAt.AddMinutes(15)));
        Assert.Equal("timed out", run.ReactionLedger.Started[started.Execution].Told);
    }

    [Fact]
    public void Tick_WhenTheConfigHasNoReactions_ShouldNotReadReactionRunsAtAll()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        var stray = new ReactionRunRecord
        {
            Execution = "stray-0001", Reaction = "gone", Kind = "lambda", AlertKey = KeyOf(Api), Recorded = ReactionRecorded.Succeeded,
            StartedAt = T0, ReportBy = T0.AddHours(1),
        };
        run.ReactionLedger.Started[stray.Execution] = (stray, T0, null);

        run.AdvanceBy(TimeSpan.FromMinutes(5));

        Assert.Null(run.ReactionLedger.Started[stray.Execution].Told);
        Assert.DoesNotContain(run.Sent, s => s.Delivery.Action == DeliveryActions.ReactionOutcome);
    }
}
