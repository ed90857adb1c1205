using System.Text.Json;
using OpsPipeline.Core.Pipeline;

namespace OpsPipeline.Functions;

/// <summary>
/// Tick λ, started every minute by EventBridge Scheduler through the state machine: time-based work only
/// (<see cref="TickUseCase"/>). Its deliveries go through the same Map, retries and parking as Decide's.
/// </summary>
public sealed class TickFunction(PipelineRuntime runtime)
{
    public TickFunction()
        : this(PipelineRuntime.FromEnvironment)
    {
    }

    /// <summary>Lambda entry point (Stream in, Stream out). The input (the schedule's payload) is not needed: now is the clock.</summary>
    public Task<Stream> Handle(Stream input) => HandleAsync(input, CancellationToken.None);

    /// <summary>The entry point our provided.al2023 bootstrap calls: <paramref name="ct"/> ends before the invocation's deadline.</summary>
    public async Task<Stream> HandleAsync(Stream input, CancellationToken ct)
    {
        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, await TickAsync(ct).ConfigureAwait(false), FunctionsJsonContext.Default.DecideResult, ct).ConfigureAwait(false);
        output.Position = 0;
        return output;
    }

    public Task<DecideResult> TickAsync(CancellationToken ct) => runtime.Tick.TickAsync(ct);
}
