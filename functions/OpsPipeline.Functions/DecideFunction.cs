using System.Text.Json;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Pipeline;

namespace OpsPipeline.Functions;

/// <summary>Decide λ: an event in, the decision out (<see cref="DecideUseCase"/>); or, from the state machine's Catch, a parked copy (<see cref="ParkUseCase"/>).</summary>
public sealed class DecideFunction(PipelineRuntime runtime)
{
    public DecideFunction()
        : this(PipelineRuntime.FromEnvironment)
    {
    }

    /// <summary>Lambda entry point (Stream in, Stream out).</summary>
    public Task<Stream> Handle(Stream input) => HandleAsync(input, CancellationToken.None);

    /// <summary>The entry point our provided.al2023 bootstrap calls: <paramref name="ct"/> ends before the invocation's deadline.</summary>
    public async Task<Stream> HandleAsync(Stream input, CancellationToken ct)
    {
        var bytes = await FunctionStreams.ReadAsync(input, 2 * DecideUseCase.MaxEventBytes).ConfigureAwait(false);
        var output = new MemoryStream();
        if (runtime.Park.TryPark(bytes) is { } parked)
        {
            ParkUseCase.Write(output, parked);
        }
        else
        {
            await JsonSerializer.SerializeAsync(output, await DecideAsync(bytes, ct).ConfigureAwait(false), FunctionsJsonContext.Default.DecideResult, ct).ConfigureAwait(false);
        }

        output.Position = 0;
        return output;
    }

    public Task<DecideResult> DecideAsync(ReadOnlyMemory<byte> utf8Event, CancellationToken ct) => runtime.Decide.DecideAsync(utf8Event, ct);
}

/// <summary>Reading a handler's input stream, bounded.</summary>
public static class FunctionStreams
{
    /// <summary>The whole input, refused (as an event too large) once it passes <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]> ReadAsync(Stream input, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await input.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                throw new InvalidEventException("(root)", $"(root): event is larger than {DecideUseCase.MaxEventBytes} bytes");
            }
        }

        return buffer.ToArray();
    }
}
