using System.Text.Json;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Floods;
using OpsPipeline.Functions.Adapters;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Functions;

/// <summary>
/// Tick λ, started every minute by EventBridge Scheduler through the state machine: time-based work only
/// (group digests, repeats, end of flapping, end of silences and inhibitions). Its deliveries go through
/// the same Map, retries and parking as Decide's.
/// </summary>
public sealed class TickFunction(PipelineRuntime runtime)
{
    public TickFunction()
        : this(PipelineRuntime.FromEnvironment)
    {
    }

    /// <summary>Lambda entry point (Stream in, Stream out). The input (the schedule's payload) is not needed: now is the clock.</summary>
    public async Task<Stream> Handle(Stream input)
    {
        var result = await TickAsync(CancellationToken.None).ConfigureAwait(false);
        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, result, FunctionsJsonContext.Default.DecideResult).ConfigureAwait(false);
        output.Position = 0;
        return output;
    }

    public async Task<DecideResult> TickAsync(CancellationToken ct)
    {
        try
        {
            return await TickOnceAsync(ct).ConfigureAwait(false);
        }
        catch (Amazon.DynamoDBv2.AmazonDynamoDBException e) when (DecideFunction.IsTransient(e))
        {
            // Every change a tick makes is a conditional write: running it again is safe.
            throw new StateConflictException($"DynamoDB {e.ErrorCode}: retry the tick");
        }
    }

    private async Task<DecideResult> TickOnceAsync(CancellationToken ct)
    {
        var now = runtime.Clock.GetUtcNow();
        var id = $"tick-{now:yyyyMMddTHHmmss}";
        var (alertDeliveries, path) = await AlertWorkAsync(now, ct).ConfigureAwait(false);
        // Every phase after the first keeps what earlier ones committed: a DynamoDB failure there ends that phase,
        // and what it did not get to waits for the next tick. The first phase writes nothing before its reads.
        IReadOnlyList<Delivery> deferred;
        try
        {
            deferred = await runtime.Deferred.TakeDueAsync(now, ct).ConfigureAwait(false);
        }
        catch (Amazon.DynamoDBv2.AmazonDynamoDBException e)
        {
            deferred = [];
            path.Add($"deferred deliveries not read (DynamoDB {e.ErrorCode}): the next tick takes them");
        }

        path.AddRange(deferred.Select(d => $"deferred {d.Action} to {d.Receiver} ({d.AlertKey}): sent again, its receiver's wait has passed"));
        var budget = await BudgetWorkAsync(now, ct).ConfigureAwait(false);
        path.AddRange(budget.Path);
        var floods = await FloodNoticesAsync(now, path, ct).ConfigureAwait(false);
        var deliveries = await FitToStateAsync([.. alertDeliveries, .. deferred, .. budget.Deliveries, .. floods], path, now, ct).ConfigureAwait(false);
        var summary = $"tick: {path.Count} change(s), {deliveries.Count} deliveries" + (budget.Held.Count > 0 ? $", {budget.Held.Count} budget notice(s) held by silences" : string.Empty);
        path.AddRange(budget.Held);
        return path.Count == 0
            ? new DecideResult(id, null, "tick", "tick: nothing due", [])
            : new DecideResult(id, null, "tick", summary, deliveries) { Path = path };
    }

    /// <summary>What the Tick may hand the state machine: Step Functions carries at most 256 KiB of state.</summary>
    public const int OutputBudgetBytes = 180 * 1024;

    /// <summary>
    /// The deliveries that fit the Tick's output; the rest were committed already, so they are deferred to the next
    /// tick (in the table, as a receiver's wait would be) rather than lost with an output Step Functions refuses.
    /// </summary>
    private async Task<List<Delivery>> FitToStateAsync(List<Delivery> deliveries, List<string> path, DateTimeOffset now, CancellationToken ct)
    {
        // The path is for people: past 200 lines it says how many more there were.
        if (path.Count > 200)
        {
            var more = path.Count - 200;
            path.RemoveRange(200, more);
            path.Add($"… and {more} more");
        }

        var size = path.Sum(p => p.Length + 8);
        var kept = new List<Delivery>(deliveries.Count);
        var overflow = 0;
        foreach (var delivery in deliveries)
        {
            // The body, plus the envelope: receiver, keys, target, subject.
            var bytes = delivery.PayloadUtf8.Length + delivery.AlertKey.Length + delivery.DedupKey.Length + 512;
            if (size + bytes <= OutputBudgetBytes)
            {
                size += bytes;
                kept.Add(delivery);
                continue;
            }

            try
            {
                await runtime.Deferred.PutAsync(delivery, now, ct).ConfigureAwait(false);
                overflow++;
            }
            catch (Amazon.DynamoDBv2.AmazonDynamoDBException)
            {
                kept.Add(delivery); // cannot keep it for later: send it now, whatever the size
            }
        }

        if (overflow > 0)
        {
            path.Add($"{overflow} deliveries deferred to the next tick: this tick's output is at its {OutputBudgetBytes / 1024} KiB budget");
        }

        return kept;
    }

    private async Task<(IReadOnlyList<Delivery> Deliveries, List<string> Path)> AlertWorkAsync(DateTimeOffset now, CancellationToken ct)
    {
        var candidates = await runtime.AlertStates.DueAsync(now + runtime.Ticker.Lookahead, ct).ConfigureAwait(false);
        if (candidates.Count == 0)
        {
            return ([], []);
        }

        var context = new DecisionContext(
            await runtime.SilenceStore.ListAsync(ct).ConfigureAwait(false),
            await runtime.AlertStates.SourcesAsync(ct).ConfigureAwait(false));
        var written = new List<TickChange>();
        var heldFor = new Dictionary<string, int>(StringComparer.Ordinal);
        var cap = runtime.Config.Defaults.FloodGuard.AlertPerHour;
        foreach (var planned in runtime.Ticker.Plan(candidates, context, now))
        {
            // The flood guard's cap per alert, as in Decide: a repeat storm stops at the cap, first triggers always go.
            // A tick's triggers and group flushes are an alert's first notification of its episode (a group's wait
            // ended, a silence or an inhibition released it): never held. Repeats and flapping notices are capped.
            var (intents, over, recent) = FloodGuard.ForAlert(planned.Before.RecentSends, planned.Intents, FirstOfEpisode, now, cap);
            var change = planned with
            {
                Intents = intents,
                After = planned.After with { RecentSends = recent, LastReason = over.Count > 0 ? $"{planned.After.LastReason}; {FloodGuard.HeldReason(over.Count, cap)}" : planned.After.LastReason },
            };
            // A Decide that wrote this alert since we read it wins; its state is newer, the next tick re-plans. So does
            // a write that failed: what was written before it is told now, not lost with the rest of the tick.
            try
            {
                if (await runtime.AlertStates.TryWriteAsync(change.After, change.Before.Version, ct).ConfigureAwait(false))
                {
                    written.Add(change);
                    foreach (var intent in over)
                    {
                        heldFor[intent.Route.Receiver] = heldFor.GetValueOrDefault(intent.Route.Receiver) + 1;
                    }
                }
            }
            catch (Amazon.DynamoDBv2.AmazonDynamoDBException)
            {
                runtime.Metrics.Count("TickWriteFailures", ("Work", "alert"));
            }
        }

        foreach (var (receiver, count) in heldFor)
        {
            try
            {
                await runtime.Floods.HoldAsync(receiver, forAlert: true, count, now, ct).ConfigureAwait(false);
            }
            catch (Amazon.DynamoDBv2.AmazonDynamoDBException)
            {
                runtime.Metrics.Count("TickWriteFailures", ("Work", "flood"));
            }
        }

        // Marked for Deliver's cap per receiver as they were for the cap per alert.
        var rendered = runtime.Ticker.Render(written).Select(d => d.Action is DeliveryActions.Trigger or DeliveryActions.Digest ? d with { Essential = true } : d).ToList();
        return (rendered, [.. written.Select(c => $"{c.Alert.Name}: {c.After.LastReason}")]);
    }

    private static bool FirstOfEpisode(TickIntent intent) =>
        intent.GroupKey is not null || intent.Action is DeliveryActions.Trigger or DeliveryActions.Digest || FloodGuard.AlwaysSent(intent.Action);

    /// <summary>One summary to each receiver the flood guard held notifications for, a minute after the first hold.</summary>
    private async Task<IReadOnlyList<Delivery>> FloodNoticesAsync(DateTimeOffset now, List<string> path, CancellationToken ct)
    {
        IReadOnlyList<FloodTally> tallies;
        try
        {
            tallies = await runtime.Floods.TakeDueAsync(now, ct).ConfigureAwait(false);
        }
        catch (Amazon.DynamoDBv2.AmazonDynamoDBException e)
        {
            path.Add($"flood guard tallies not read (DynamoDB {e.ErrorCode}): the next tick tells them");
            return [];
        }

        var guard = runtime.Config.Defaults.FloodGuard;
        var notices = new List<Delivery>();
        foreach (var t in tallies)
        {
            if (runtime.Config.FindReceiver(t.Receiver) is { } receiver)
            {
                notices.Add(FloodNotice.Render(receiver, t.HeldForAlert, t.HeldForReceiver, t.Since, guard.AlertPerHour, guard.ReceiverCap(receiver.Channel)));
                path.Add(FloodNotice.Text(receiver.Name, t.HeldForAlert, t.HeldForReceiver, t.Since, guard.AlertPerHour, guard.ReceiverCap(receiver.Channel)));
            }
        }

        return notices;
    }

    /// <summary>
    /// Every SLO, every minute: burn-rate alerts fire or resolve, exhaustion is told once, metrics are emitted.
    /// A silence that matches a firing or exhausted notice holds it (see <see cref="BudgetEvaluator.Evaluate"/>).
    /// </summary>
    private async Task<BudgetWork> BudgetWorkAsync(DateTimeOffset now, CancellationToken ct)
    {
        var work = new BudgetWork();
        foreach (var slo in runtime.Config.Slos)
        {
            try
            {
                await SloWorkAsync(slo, now, work, ct).ConfigureAwait(false);
            }
            catch (Amazon.DynamoDBv2.AmazonDynamoDBException e)
            {
                // Its notices are not told (its state was not written): the next tick evaluates it again.
                runtime.Metrics.Count("TickWriteFailures", ("Work", "budget"));
                work.Path.Add($"{slo.Name}: not evaluated (DynamoDB {e.ErrorCode}): the next tick evaluates it");
            }
        }

        return work;
    }

    /// <summary>What one tick's budget work told and held, and the silences it read (once, and only if something is to be told).</summary>
    private sealed class BudgetWork
    {
        public List<Delivery> Deliveries { get; } = [];

        public List<string> Path { get; } = [];

        public List<string> Held { get; } = [];

        public IReadOnlyList<Core.Silences.Silence>? Silences { get; set; }
    }

    private async Task SloWorkAsync(SloConfig slo, DateTimeOffset now, BudgetWork work, CancellationToken ct)
    {
        var state = await runtime.Budgets.GetAsync(slo.Name, ct).ConfigureAwait(false);
        var (next, notices) = BudgetEvaluator.Evaluate(state, slo, now);
        EmitBudgetMetrics(state, slo, now);
        if (notices.Count > 0)
        {
            // Silences are read only when there is something to tell (one Query, at most once a tick).
            var active = work.Silences ??= await runtime.SilenceStore.ListAsync(ct).ConfigureAwait(false);
            (next, notices) = BudgetEvaluator.Evaluate(state, slo, now, notice =>
            {
                var labels = notice.Labels;
                var silence = Core.Silences.Silence.FirstMuting(active, labels, now);
                if (silence is not null)
                {
                    work.Held.Add($"{slo.Name} {labels["budgetAlert"]}: {notice.Kind} held: {silence.Reason}; told when the silence ends if it still holds");
                }

                return silence is not null;
            });
        }

        if (notices.Count == 0 || !await runtime.Budgets.TryWriteAsync(next, ct).ConfigureAwait(false))
        {
            return; // nothing to tell, or a Decide wrote meanwhile: the next tick evaluates again
        }

        foreach (var notice in notices)
        {
            if (runtime.Config.FindReceiver(notice.Receiver) is { } receiver)
            {
                // Told once per episode (a burn page, its all-clear, exhaustion): never held by the flood guard.
                work.Deliveries.Add(BudgetMessage.Render(notice, receiver, drill: false) with { Essential = true });
                work.Path.Add($"{slo.Name}: {notice.Kind} to {receiver.Name}: {BudgetMessage.Text(notice, drill: false)}");
            }
        }
    }

    private void EmitBudgetMetrics(BudgetState state, SloConfig slo, DateTimeOffset now)
    {
        runtime.Metrics.Emit("ErrorBudgetRemainingPercent", (1 - BudgetLedger.Consumed(state, slo, now)) * 100, "Percent", ("Slo", slo.Name));
        foreach (var window in slo.BurnAlerts.SelectMany(a => new[] { a.Long, a.Short }).Distinct())
        {
            runtime.Metrics.Emit("BurnRate", BudgetLedger.BurnRate(state, slo, window, now), "None", ("Slo", slo.Name), ("Window", BudgetEvaluator.Span(window)));
        }
    }
}
