using System.Text.Json;
using OpsPipeline.Core.Decisions;

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
        var now = runtime.Clock.GetUtcNow();
        var candidates = await runtime.AlertStates.DueAsync(now + runtime.Ticker.Lookahead, ct).ConfigureAwait(false);
        if (candidates.Count == 0)
        {
            return new DecideResult($"tick-{now:yyyyMMddTHHmmss}", null, "tick", "tick: nothing due", []);
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

        if (written.Count == 0)
        {
            return new DecideResult($"tick-{now:yyyyMMddTHHmmss}", null, "tick", $"tick: {candidates.Count} alert(s) checked, nothing due", []);
        }

        var deliveries = runtime.Ticker.Render(written);
        var path = written.Select(c => $"{c.Alert.Name}: {c.After.LastReason}").ToList();
        return new DecideResult($"tick-{now:yyyyMMddTHHmmss}", null, "tick", $"tick: {written.Count} alert(s) changed, {deliveries.Count} deliveries", deliveries) { Path = path };
    }
}
