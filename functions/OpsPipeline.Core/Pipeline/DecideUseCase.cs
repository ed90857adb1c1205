using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Core.Pipeline;

/// <summary>
/// Decide: one event in, normalized, decided by the stages against its stored state, committed with one conditional
/// write, and what the decision sends rendered. All or nothing: everything else is written first, each write
/// idempotent and ordered by the alarm's own timestamp, and the alert's state last.
/// </summary>
public sealed class DecideUseCase(PipelineConfig config, AlertPipeline pipeline, NotificationRenderer renderer, PipelinePorts ports)
{
    /// <summary>EventBridge events are at most 256 KiB.</summary>
    public const int MaxEventBytes = 256 * 1024;

    /// <summary>Optimistic-concurrency attempts inside one invocation before the state machine's Retry takes over.</summary>
    private const int WriteAttempts = 5;

    public Task<DecideResult> DecideAsync(ReadOnlyMemory<byte> utf8Event, CancellationToken ct)
    {
        if (utf8Event.Length > MaxEventBytes)
        {
            throw new InvalidEventException("(root)", $"(root): event is larger than {MaxEventBytes} bytes");
        }

        return RetriedAsWholeAsync(async () => await NormalizeAsync(utf8Event, ct).ConfigureAwait(false) switch
        {
            (ExecutionStatusChangeEvent status, _) => await RecordReactionEndAsync(status, ct).ConfigureAwait(false),
            (_, var alert) => await CommitAsync(alert!, ct).ConfigureAwait(false),
        });
    }

    /// <summary>
    /// A state machine's execution ended: if it is a stepFunctions reaction this pipeline started (its RUN# record,
    /// still started), its end is recorded for the next tick to tell; any other execution changes nothing. A
    /// replayed one (a drill) never does: drills run no reactions.
    /// </summary>
    private async Task<DecideResult> RecordReactionEndAsync(ExecutionStatusChangeEvent e, CancellationToken ct)
    {
        (string? Recorded, string? Error, string? Cause) end = e.Status switch
        {
            "SUCCEEDED" => (ReactionRecorded.Succeeded, null, null),
            "FAILED" => (ReactionRecorded.Failed, e.Detail.Error, e.Detail.Cause),
            "TIMED_OUT" => (ReactionRecorded.Failed, "States.Timeout", e.Detail.Cause),
            "ABORTED" => (ReactionRecorded.Failed, "aborted", e.Detail.Cause ?? "the execution was stopped"),
            _ => (null, null, null),
        };
        var name = Rendering.UntrustedText.OneLine(e.Name);
        string reason;
        if (e.ReplayName is not null)
        {
            reason = $"execution {name} {e.Status}: a drill replays no reaction's end";
        }
        else if (end.Recorded is null)
        {
            reason = $"execution {name} is {Rendering.UntrustedText.OneLine(e.Status)}: not an end, nothing to record";
        }
        else
        {
            reason = await ports.Reactions.TryRecordEndAsync(e.Name, end.Recorded, end.Error, end.Cause, ports.Clock.GetUtcNow(), ct).ConfigureAwait(false)
                ? $"reaction run {name} {e.Status}: recorded; the next tick tells the alert's receivers"
                : $"execution {name} {e.Status}: no reaction run of this pipeline waits for it (unknown, or its end recorded already): nothing to do";
        }

        ports.Metrics.Count("EventsDecided", ("Decision", DecisionKinds.Recorded));
        return new DecideResult(e.Id, null, DecisionKinds.Recorded, reason, []);
    }

    /// <summary>Decides one normalized alert (the tests' entry, and the second half of the one above).</summary>
    public Task<DecideResult> DecideAsync(Alert alert, CancellationToken ct) => RetriedAsWholeAsync(() => CommitAsync(alert, ct));

    private async Task<DecideResult> RetriedAsWholeAsync(Func<Task<DecideResult>> decide)
    {
        try
        {
            return await decide().ConfigureAwait(false);
        }
        catch (Exception e) when (ports.Faults.IsTransient(e))
        {
            // Throttled or briefly unavailable: the state machine retries the whole decision (it is idempotent: a write
            // that did land makes the retry a duplicate).
            throw new StateConflictException($"{ports.Faults.Describe(e)}: retry the decision");
        }
    }

    /// <summary>The event parsed and checked, and the alert it is (none for a state machine's status change).</summary>
    private async Task<(ParsedEvent Parsed, Alert? Alert)> NormalizeAsync(ReadOnlyMemory<byte> utf8Event, CancellationToken ct)
    {
        try
        {
            var parsed = EventParser.Parse(utf8Event.Span);
            EventPlausibility.Check(parsed, ports.Clock.GetUtcNow(), config.Defaults.ClockSkew);
            return (parsed, parsed is ExecutionStatusChangeEvent ? null : AlertNormalizer.Normalize(parsed, config));
        }
        catch (InvalidEventException e)
        {
            ports.Metrics.Count("EventsDecided", ("Decision", "rejected"));
            if (ReplayNameOf(utf8Event) is { } replay)
            {
                // A drill reports the events it could not replay, beside the ones it did.
                var now = ports.Clock.GetUtcNow();
                await ports.DrillReports.AppendAsync(new DrillReportRow
                {
                    ReplayName = replay, EventId = Guid.NewGuid().ToString(), EventTime = now, Decision = "rejected", Reason = e.Message,
                }, now, ct).ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task<DecideResult> CommitAsync(Alert alert, CancellationToken ct)
    {
        var alertJson = AlertCloudEvent.ToJsonString(alert);
        var silences = await ports.CachedSilences.ListAsync(ct).ConfigureAwait(false);
        var needsSources = pipeline.NeedsSources(alert);
        var groups = pipeline.GroupsOf(alert);
        var states = alert.ReplayName is { } replayName ? ports.AlertStates.ForDrill(replayName) : ports.AlertStates;
        for (var attempt = 1; attempt <= WriteAttempts; attempt++)
        {
            var (stored, sources, notified) = await states.ReadAsync(alert.Key, needsSources, groups, ct).ConfigureAwait(false);
            var now = ports.Clock.GetUtcNow();
            var decision = pipeline.Decide(alert, stored, new DecisionContext(silences, sources) { GroupsNotified = notified }, now, alertJson);
            decision = await CapReactionsAsync(decision, now, ct).ConfigureAwait(false);
            await WriteSideEffectsAsync(alert, decision, ct).ConfigureAwait(false);

            // The state write is the commit: a failure before it leaves nothing a retry or the next event cannot redo (the
            // alert is not "already notified"), and nothing after it can fail.
            // The decision is remembered in the state it commits: its history costs no request and cannot be half-written.
            if (decision.NewState is null || await states.TryWriteAsync(DecisionHistory.AfterEvent(decision.NewState, alert, decision, now), stored?.Version ?? 0, ct).ConfigureAwait(false))
            {
                ports.Metrics.Count("EventsDecided", ("Decision", alert.ReplayName is null ? decision.Kind : DecisionKinds.Drill));
                return new DecideResult(alert.EventId, alert.Key, decision.Kind, decision.Reason, [.. renderer.Render(ReactionDelivery.Told(decision.Notifications, decision.Reactions, decision.CappedReactions)), .. decision.Reactions.Select(ReactionDelivery.Of)]) { Path = decision.Path, Reactions = decision.Reactions };
            }
        }

        throw new StateConflictException($"alert {alert.Key}: state changed under {WriteAttempts} consecutive writes");
    }

    /// <summary>
    /// Before the commit: each reaction that would run is counted against its hourly cap across alerts, by its run id
    /// (a retried decision counts once); one the cap refuses does not run. Drills start none, so count none.
    /// </summary>
    private async Task<Decision> CapReactionsAsync(Decision decision, DateTimeOffset now, CancellationToken ct)
    {
        var refused = new List<Reaction>();
        foreach (var reaction in decision.Reactions)
        {
            if (!await ports.Reactions.TryCountAsync(reaction.Name, reaction.RunId, now, pipeline.Reactions.CapOf(reaction), ct).ConfigureAwait(false))
            {
                refused.Add(reaction);
            }
        }

        return pipeline.Reactions.Capped(decision, refused, now);
    }

    /// <summary>Before the commit, each idempotent: the source transition, the drill report, the SLO's bad time, what the flood guard held.</summary>
    private async Task WriteSideEffectsAsync(Alert alert, Decision decision, CancellationToken ct)
    {
        if (decision.SourceUpdate is { } update && decision.NewState is not null)
        {
            // Only inhibition sources (capability alarms) pay this request, on each of their transitions.
            await ports.AlertStates.UpdateSourceAsync(update, ct).ConfigureAwait(false);
        }

        if (alert.ReplayName is not null)
        {
            await ports.DrillReports.AppendAsync(ReportRow(alert, decision), ports.Clock.GetUtcNow(), ct).ConfigureAwait(false);
            return;
        }

        if (decision.NewState is not null || decision.Kind == DecisionKinds.Duplicate)
        {
            // A duplicate too: applying the same transition twice changes nothing (BudgetLedger.Apply). So does handing
            // a resolve to the SLO's incident twice, should the commit below fail and the decision be made again.
            foreach (var slo in pipeline.Budgets.Affected(alert))
            {
                var holds = decision.IncidentHolds.Where(h => h.Slo == slo.Name).ToList();
                await ports.Budgets.UpdateAsync(slo.Name, s => holds.Aggregate(Stages.Budgets.BudgetStage.Apply(s, alert, slo), (b, h) => b.WithPaged(h.Receiver)), ct).ConfigureAwait(false);
            }
        }

        foreach (var receiver in decision.Held.GroupBy(n => n.Receiver, StringComparer.Ordinal))
        {
            // Told once, a minute later, by the Tick (a retry after a lost commit may count these twice: it errs high).
            await ports.Floods.HoldAsync(receiver.Key, forAlert: true, receiver.Count(), ports.Clock.GetUtcNow(), ct).ConfigureAwait(false);
        }
    }

    private DrillReportRow ReportRow(Alert alert, Decision decision) => new()
    {
        ReplayName = alert.ReplayName!,
        EventId = alert.EventId,
        EventTime = alert.EventTime,
        AlertKey = alert.Key,
        AlertName = alert.Name,
        State = alert.State.Wire(),
        Decision = decision.Kind,
        Reason = decision.Reason,
        WouldSend = [.. decision.WouldSend.Select(Reported)],
        Sent = [.. decision.Notifications.Select(Reported)],
        WouldReact = [.. decision.WouldReact.Select(r => new DrillReaction(r.Name, r.Kind.Wire(), r.Target, r.Input))],
    };

    private DrillDelivery Reported(Notification n) => new(n.Receiver, config.FindReceiver(n.Receiver)?.Channel ?? string.Empty, n.Action);

    /// <summary>The replay name of an event that failed to parse, if it is readable at all.</summary>
    private static string? ReplayNameOf(ReadOnlyMemory<byte> utf8Event)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8Event);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("replay-name", out var r) && r.ValueKind == JsonValueKind.String
                ? r.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
