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

    /// <summary>A receiver's Retry-After up to this long is waited out inside the invocation (Lambda timeout 20 s); longer ones go back to the state machine's backoff.</summary>
    public static readonly TimeSpan MaxInlineRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends once; when the receiver says 429/503 with a short Retry-After, waits exactly that long and sends once more,
    /// so a rate-limited receiver (Slack, PagerDuty) is retried when it asked, not on our backoff's schedule.
    /// </summary>
    private async Task<int> SendHonouringRetryAfterAsync(Delivery delivery)
    {
        try
        {
            return await runtime.Sender.SendAsync(delivery, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TransientDeliveryException e) when (e.RetryAfter is { } wait && wait > TimeSpan.Zero && wait <= MaxInlineRetryAfter)
        {
            runtime.Metrics.Count("DeliveryFailures", ("Channel", delivery.Channel), ("Kind", "rate-limited"));
            // Real time, not the pipeline's clock: this is waiting on the receiver, not deciding anything.
            await Task.Delay(wait).ConfigureAwait(false);
            return await runtime.Sender.SendAsync(delivery, CancellationToken.None).ConfigureAwait(false);
        }
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
            status = await SendHonouringRetryAfterAsync(delivery).ConfigureAwait(false);
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
