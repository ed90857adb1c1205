using System.Text.Json;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Floods;

namespace OpsPipeline.Functions;

/// <summary>Deliver λ: one delivery in → one HTTP send; failures surface as transient or permanent errors for the state machine.</summary>
public sealed class DeliverFunction(PipelineRuntime runtime)
{
    public DeliverFunction()
        : this(PipelineRuntime.FromEnvironment)
    {
    }

    /// <summary>A receiver's Retry-After up to this long is waited out inside the invocation (Lambda timeout 20 s); longer ones are deferred to the Tick.</summary>
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

    /// <summary>The state machine's TimeoutSeconds (statemachines/alert-pipeline.asl.json; a test holds them equal).</summary>
    public static readonly TimeSpan ExecutionTimeout = TimeSpan.FromSeconds(290);

    /// <summary>
    /// Deliver tries a send only while the execution has at least this long left: one attempt (the task's 25 s
    /// timeout), the longest backoff before the next (20 s), one more invocation that defers (25 s) and parking
    /// (27 s at worst), with a margin. With less left it defers the delivery to the Tick at once, so no delivery
    /// is ever lost to the execution's timeout.
    /// </summary>
    public static readonly TimeSpan DeadlineReserve = TimeSpan.FromSeconds(100);

    /// <summary>The longest wait a receiver may ask for that is honoured; a longer Retry-After is taken as this.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>How often one delivery may be deferred; after that a rate limit is an ordinary transient failure (retried, then parked).</summary>
    public const int MaxDeferrals = 5;

    /// <summary>Lambda entry point (Stream in, Stream out): {delivery, executionStartedAt} from the state machine, or a bare delivery (a redrive).</summary>
    public async Task<Stream> Handle(Stream input)
    {
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer).ConfigureAwait(false);
        var (delivery, startedAt) = Read(buffer.ToArray());

        // Wall time, not the pipeline's clock: the execution's timeout runs on the wall clock.
        var now = runtime.Clock.GetUtcNow();
        if (startedAt is { } started && started + ExecutionTimeout - TimeProvider.System.GetUtcNow() < DeadlineReserve)
        {
            return await DeferAsync(delivery, now).ConfigureAwait(false);
        }

        // The flood guard's cap per receiver and minute (first notifications and resolves count, and always go).
        if (await HeldByFloodGuardAsync(delivery, now).ConfigureAwait(false))
        {
            runtime.Metrics.Count("DeliveriesHeld", ("Channel", delivery.Channel));
            return Serialize(new DeliverResult(delivery.Receiver, delivery.Channel, delivery.DedupKey, 0) { Held = FloodGuard.Reason });
        }

        int status;
        try
        {
            status = await SendHonouringRetryAfterAsync(delivery).ConfigureAwait(false);
        }
        catch (TransientDeliveryException e) when (e.RetryAfter is { } wait && wait > MaxInlineRetryAfter && delivery.Deferrals < MaxDeferrals)
        {
            // Too long to wait inside this execution: the Tick sends it again once the receiver's wait has passed.
            runtime.Metrics.Count("DeliveryFailures", ("Channel", delivery.Channel), ("Kind", "rate-limited"));
            return await DeferAsync(delivery, runtime.Clock.GetUtcNow() + (wait < MaxRetryAfter ? wait : MaxRetryAfter)).ConfigureAwait(false);
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
        return Serialize(new DeliverResult(delivery.Receiver, delivery.Channel, delivery.DedupKey, status));
    }

    /// <summary>
    /// Counts the delivery against its receiver's minute and says whether the guard holds it. DynamoDB briefly
    /// unavailable is a transient delivery error (retried); any other failure of the guard's own store lets the
    /// delivery go: a broken counter must not stop pages.
    /// </summary>
    private async Task<bool> HeldByFloodGuardAsync(Delivery delivery, DateTimeOffset now)
    {
        var cap = FloodGuard.AlwaysSent(delivery) ? (int?)null : runtime.Config.Defaults.FloodGuard.ReceiverCap(delivery.Channel);
        try
        {
            if (await runtime.Floods.TryCountAsync(delivery.Receiver, now, cap, CancellationToken.None).ConfigureAwait(false))
            {
                return false;
            }

            await runtime.Floods.HoldAsync(delivery.Receiver, forAlert: false, 1, now, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Amazon.DynamoDBv2.AmazonDynamoDBException e) when (Adapters.DynamoFaults.Instance.IsTransient(e))
        {
            throw new TransientDeliveryException($"DynamoDB {e.ErrorCode} counting the delivery: retry");
        }
        catch (Amazon.DynamoDBv2.AmazonDynamoDBException)
        {
            runtime.Metrics.Count("FloodGuardFailures", ("Channel", delivery.Channel));
            return false;
        }
    }

    private async Task<Stream> DeferAsync(Delivery delivery, DateTimeOffset retryAt)
    {
        try
        {
            await runtime.Deferred.PutAsync(delivery with { Deferrals = delivery.Deferrals + 1 }, retryAt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Amazon.DynamoDBv2.AmazonDynamoDBException e) when (Adapters.DynamoFaults.Instance.IsTransient(e))
        {
            throw new TransientDeliveryException($"DynamoDB {e.ErrorCode} deferring the delivery: retry");
        }

        runtime.Metrics.Count("DeliveriesDeferred", ("Channel", delivery.Channel));
        return Serialize(new DeliverResult(delivery.Receiver, delivery.Channel, delivery.DedupKey, 0) { DeferredUntil = retryAt });
    }

    private static (Delivery Delivery, DateTimeOffset? StartedAt) Read(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("delivery", out var inner) && inner.ValueKind == JsonValueKind.Object)
            {
                var input = document.RootElement.Deserialize(FunctionsJsonContext.Default.DeliverInput)
                    ?? throw new PermanentDeliveryException("delivery: null input");
                return (input.Delivery, input.ExecutionStartedAt);
            }

            return (JsonSerializer.Deserialize(bytes, FunctionsJsonContext.Default.Delivery) ?? throw new PermanentDeliveryException("delivery: null input"), null);
        }
        catch (JsonException e)
        {
            throw new PermanentDeliveryException($"delivery is not valid JSON: {e.Path}: {e.Message}");
        }
    }

    private static MemoryStream Serialize(DeliverResult result)
    {
        var output = new MemoryStream();
        JsonSerializer.Serialize(output, result, FunctionsJsonContext.Default.DeliverResult);
        output.Position = 0;
        return output;
    }
}
