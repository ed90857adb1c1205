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

    /// <summary>A receiver's Retry-After up to this long is waited out inside the invocation (Lambda timeout 20 s); longer ones by the state machine.</summary>
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

    /// <summary>Longer waits a receiver asks for are waited by the state machine (a Wait state, no Lambda running), this many times at most.</summary>
    public const int MaxRateLimitedWaits = 5;

    /// <summary>Lambda entry point (Stream in, Stream out).</summary>
    public async Task<Stream> Handle(Stream input)
    {
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        Delivery? delivery;
        DeliveryAttempt? attempt;
        try
        {
            delivery = JsonSerializer.Deserialize(bytes, FunctionsJsonContext.Default.Delivery);
            attempt = JsonSerializer.Deserialize(bytes, FunctionsJsonContext.Default.DeliveryAttempt);
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
        var waits = attempt?.Outcome?.RateLimitedCount ?? 0;
        try
        {
            status = await SendHonouringRetryAfterAsync(delivery).ConfigureAwait(false);
        }
        catch (TransientDeliveryException e) when (e.RetryAfter is { } wait && wait > MaxInlineRetryAfter && wait <= TimeSpan.FromMinutes(15) && waits < MaxRateLimitedWaits)
        {
            // Too long to wait here: hand the wait to the state machine, which sends again exactly when asked.
            runtime.Metrics.Count("DeliveryFailures", ("Channel", delivery.Channel), ("Kind", "rate-limited"));
            return Serialize(new DeliverResult(delivery.Receiver, delivery.Channel, delivery.DedupKey, 429)
            {
                RetryAfterSeconds = (int)Math.Ceiling(wait.TotalSeconds),
                RateLimitedCount = waits + 1,
            });
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
        return Serialize(new DeliverResult(delivery.Receiver, delivery.Channel, delivery.DedupKey, status) { RateLimitedCount = waits });
    }

    private static MemoryStream Serialize(DeliverResult result)
    {
        var output = new MemoryStream();
        JsonSerializer.Serialize(output, result, FunctionsJsonContext.Default.DeliverResult);
        output.Position = 0;
        return output;
    }
}
