using System.Text.Json;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
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
        var deferred = await runtime.Deferred.TakeDueAsync(now, ct).ConfigureAwait(false);
        path.AddRange(deferred.Select(d => $"deferred {d.Action} to {d.Receiver} ({d.AlertKey}): sent again, its receiver's wait has passed"));
        var (budgetDeliveries, budgetPath, held) = await BudgetWorkAsync(now, ct).ConfigureAwait(false);
        path.AddRange(budgetPath);
        var deliveries = alertDeliveries.Concat(deferred).Concat(budgetDeliveries).ToList();
        var summary = $"tick: {path.Count} change(s), {deliveries.Count} deliveries" + (held.Count > 0 ? $", {held.Count} budget notice(s) held by silences" : string.Empty);
        path.AddRange(held);
        return path.Count == 0
            ? new DecideResult(id, null, "tick", "tick: nothing due", [])
            : new DecideResult(id, null, "tick", summary, deliveries) { Path = path };
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
        foreach (var change in runtime.Ticker.Plan(candidates, context, now))
        {
            // A Decide that wrote this alert since we read it wins; its state is newer, the next tick re-plans.
            if (await runtime.AlertStates.TryWriteAsync(change.After, change.Before.Version, ct).ConfigureAwait(false))
            {
                written.Add(change);
            }
        }

        return (runtime.Ticker.Render(written), [.. written.Select(c => $"{c.Alert.Name}: {c.After.LastReason}")]);
    }

    /// <summary>
    /// Every SLO, every minute: burn-rate alerts fire or resolve, exhaustion is told once, metrics are emitted.
    /// A silence that matches a firing or exhausted notice holds it (see <see cref="BudgetEvaluator.Evaluate"/>).
    /// </summary>
    private async Task<(IReadOnlyList<Delivery> Deliveries, List<string> Path, List<string> Held)> BudgetWorkAsync(DateTimeOffset now, CancellationToken ct)
    {
        var deliveries = new List<Delivery>();
        var path = new List<string>();
        var held = new List<string>();
        IReadOnlyList<Core.Silences.Silence>? silences = null;
        foreach (var slo in runtime.Config.Slos)
        {
            var state = await runtime.Budgets.GetAsync(slo.Name, ct).ConfigureAwait(false);
            var (next, notices) = BudgetEvaluator.Evaluate(state, slo, now);
            EmitBudgetMetrics(state, slo, now);
            if (notices.Count > 0)
            {
                // Silences are read only when there is something to tell (one Query, at most once a tick).
                silences ??= await runtime.SilenceStore.ListAsync(ct).ConfigureAwait(false);
                var active = silences;
                (next, notices) = BudgetEvaluator.Evaluate(state, slo, now, notice =>
                {
                    var labels = notice.Labels;
                    var silence = Core.Silences.Silence.FirstMuting(active, labels, now);
                    if (silence is not null)
                    {
                        held.Add($"{slo.Name} {labels["budgetAlert"]}: {notice.Kind} held: {silence.Reason}; told when the silence ends if it still holds");
                    }

                    return silence is not null;
                });
            }

            if (notices.Count == 0 || !await runtime.Budgets.TryWriteAsync(next, ct).ConfigureAwait(false))
            {
                continue; // nothing to tell, or a Decide wrote meanwhile: the next tick evaluates again
            }

            foreach (var notice in notices)
            {
                if (runtime.Config.FindReceiver(notice.Receiver) is { } receiver)
                {
                    var delivery = BudgetMessage.Render(notice, receiver, drill: false);
                    deliveries.Add(delivery);
                    path.Add($"{slo.Name}: {notice.Kind} to {receiver.Name}: {BudgetMessage.Text(notice, drill: false)}");
                }
            }
        }

        return (deliveries, path, held);
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
