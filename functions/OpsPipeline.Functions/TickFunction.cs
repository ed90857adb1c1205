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

    /// <summary>
    /// Lambda entry point (Stream in, Stream out). The input is {time, execution} from the state machine: now is the
    /// clock, and the execution's name is who takes the deferred deliveries (a duplicated execution takes none).
    /// </summary>
    public Task<Stream> Handle(Stream input) => HandleAsync(input, CancellationToken.None);

    /// <summary>The entry point our provided.al2023 bootstrap calls: <paramref name="ct"/> ends before the invocation's deadline.</summary>
    public async Task<Stream> HandleAsync(Stream input, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer, ct).ConfigureAwait(false);
        var execution = ExecutionOf(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, await runtime.Tick.TickAsync(ct, execution).ConfigureAwait(false), FunctionsJsonContext.Default.DecideResult, ct).ConfigureAwait(false);
        output.Position = 0;
        return output;
    }

    public Task<DecideResult> TickAsync(CancellationToken ct) => runtime.Tick.TickAsync(ct);

    /// <summary>The "execution" string of the input, if it has one (an older input, or none, has not).</summary>
    private static string? ExecutionOf(ReadOnlySpan<byte> input)
    {
        try
        {
            var reader = new Utf8JsonReader(input);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("execution"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: no name; the tick's own id takes the deliveries.
        }

        return null;
    }
}
