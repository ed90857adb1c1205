using System.Text.Json;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Functions;

/// <summary>Deliver λ: one delivery in → one HTTP send; failures surface as transient or permanent errors for the state machine.</summary>
public sealed class DeliverFunction(PipelineRuntime runtime)
{
    public DeliverFunction()
        : this(PipelineRuntime.FromEnvironment)
    {
    }

    /// <summary>Lambda entry point (Stream in, Stream out).</summary>
    public async Task<Stream> Handle(Stream input)
    {
        Delivery? delivery;
        try
        {
            delivery = await JsonSerializer.DeserializeAsync(input, FunctionsJsonContext.Default.Delivery).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new PermanentDeliveryException($"delivery is not valid JSON: {e.Path}: {e.Message}");
        }

        if (delivery is null)
        {
            throw new PermanentDeliveryException("delivery: null input");
        }

        int status;
        try
        {
            status = await runtime.Sender.SendAsync(delivery, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TransientDeliveryException)
        {
            runtime.Metrics.Count("DeliveryFailures", ("Channel", delivery.Channel), ("Kind", "transient"));
            throw;
        }
        catch (PermanentDeliveryException)
        {
            runtime.Metrics.Count("DeliveryFailures", ("Channel", delivery.Channel), ("Kind", "permanent"));
            throw;
        }

        runtime.Metrics.Count("DeliveriesSent", ("Channel", delivery.Channel));
        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, new DeliverResult(delivery.Receiver, delivery.Channel, delivery.DedupKey, status), FunctionsJsonContext.Default.DeliverResult).ConfigureAwait(false);
        output.Position = 0;
        return output;
    }
}
