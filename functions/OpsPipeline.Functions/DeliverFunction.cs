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

    /// <summary>
    /// Lambda entry point (Stream in, Stream out): {delivery, executionStartedAt} from the state machine, a bare
    /// delivery (a redrive), or {notifyTest: {receiver, from}} from `opsctl notify test` (see <see cref="NotifyTest"/>).
    /// </summary>
    public Task<Stream> Handle(Stream input) => HandleAsync(input, CancellationToken.None);

    /// <summary>The entry point our provided.al2023 bootstrap calls: <paramref name="ct"/> ends before the invocation's deadline.</summary>
    public async Task<Stream> HandleAsync(Stream input, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer, ct).ConfigureAwait(false);
        var output = new MemoryStream();
        if (FunctionsJson.ReadNotifyTest(buffer.ToArray()) is { } test)
        {
            var answered = await new NotifyTest(runtime.Config, runtime.Sender, runtime.Clock).RunAsync(test, ct).ConfigureAwait(false);
            JsonSerializer.Serialize(output, new NotifyTestOutput(answered), FunctionsJsonContext.Default.NotifyTestOutput);
            output.Position = 0;
            return output;
        }

        var (delivery, startedAt) = FunctionsJson.ReadDeliverInput(buffer.ToArray());
        var result = await runtime.Deliver.DeliverAsync(delivery, startedAt, ct).ConfigureAwait(false);
        JsonSerializer.Serialize(output, result, FunctionsJsonContext.Default.DeliverResult);
        output.Position = 0;
        return output;
    }
}
