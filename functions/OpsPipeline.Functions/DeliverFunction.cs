using System.Text.Json;
using OpsPipeline.Core.Pipeline;

namespace OpsPipeline.Functions;

/// <summary>Deliver λ: one delivery in, one send (<see cref="DeliverUseCase"/>); failures surface as transient or permanent errors for the state machine.</summary>
public sealed class DeliverFunction(PipelineRuntime runtime)
{
    public DeliverFunction()
        : this(PipelineRuntime.FromEnvironment)
    {
    }

    /// <summary>Lambda entry point (Stream in, Stream out): {delivery, executionStartedAt} from the state machine, or a bare delivery (a redrive).</summary>
    public Task<Stream> Handle(Stream input) => HandleAsync(input, CancellationToken.None);

    /// <summary>The entry point our provided.al2023 bootstrap calls: <paramref name="ct"/> ends before the invocation's deadline.</summary>
    public async Task<Stream> HandleAsync(Stream input, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer, ct).ConfigureAwait(false);
        var (delivery, startedAt) = FunctionsJson.ReadDeliverInput(buffer.ToArray());
        var result = await runtime.Deliver.DeliverAsync(delivery, startedAt, ct).ConfigureAwait(false);
        var output = new MemoryStream();
        JsonSerializer.Serialize(output, result, FunctionsJsonContext.Default.DeliverResult);
        output.Position = 0;
        return output;
    }
}
