using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Floods;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Core.Pipeline;

/// <summary>What Deliver returns: the receiver accepted the delivery, or it was put off to a later tick.</summary>
public sealed record DeliverResult(string Receiver, string Channel, string DedupKey, int Status)
{
    /// <summary>Set when the delivery was deferred: the first tick at or after this time sends it again.</summary>
    public DateTimeOffset? DeferredUntil { get; init; }

    /// <summary>Set when the flood guard held it (its receiver is told how many, once, a minute later).</summary>
    public string? Held { get; init; }
}

/// <summary>
/// Deliver's input as the state machine passes it: the delivery, and when the execution started, so Deliver can
/// tell whether the execution still has time to try (see <see cref="DeliverUseCase.DeadlineReserve"/>).
/// </summary>
public sealed record DeliverInput(Delivery Delivery, DateTimeOffset? ExecutionStartedAt);

/// <summary>
/// Deliver: one delivery, one send, within the flood guard's cap per receiver and the execution's deadline. A short
/// Retry-After is waited out; a long one, or too little time left, defers the delivery to the Tick; failures surface
/// as transient (retried by the state machine) or permanent (parked).
/// </summary>
public sealed class DeliverUseCase(PipelineConfig config, IDeliverySender sender, PipelinePorts ports)
{
    /// <summary>A receiver's Retry-After up to this long is waited out inside the invocation (Lambda timeout 20 s); longer ones are deferred to the Tick.</summary>
    public static readonly TimeSpan MaxInlineRetryAfter = TimeSpan.FromSeconds(5);

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

    public async Task<DeliverResult> DeliverAsync(Delivery delivery, DateTimeOffset? executionStartedAt, CancellationToken ct)
    {
        // Wall time, not the pipeline's clock: the execution's timeout runs on the wall clock.
        var now = ports.Clock.GetUtcNow();
        if (executionStartedAt is { } started && started + ExecutionTimeout - TimeProvider.System.GetUtcNow() < DeadlineReserve)
        {
            return await DeferAsync(delivery, now, ct).ConfigureAwait(false);
        }

        // The flood guard's cap per receiver and minute (first notifications and resolves count, and always go).
        if (await HeldByFloodGuardAsync(delivery, now, ct).ConfigureAwait(false))
        {
            ports.Metrics.Count("DeliveriesHeld", ("Channel", delivery.Channel));
            return new DeliverResult(delivery.Receiver, delivery.Channel, delivery.DedupKey, 0) { Held = FloodGuard.Reason };
        }

        int status;
        try
        {
            status = await SendHonouringRetryAfterAsync(delivery, ct).ConfigureAwait(false);
        }
        catch (TransientDeliveryException e) when (e.RetryAfter is { } wait && wait > MaxInlineRetryAfter && delivery.Deferrals < MaxDeferrals)
        {
            // Too long to wait inside this execution: the Tick sends it again once the receiver's wait has passed.
            ports.Metrics.Count("DeliveryFailures", ("Channel", delivery.Channel), ("Kind", "rate-limited"));
            return await DeferAsync(delivery, ports.Clock.GetUtcNow() + (wait < MaxRetryAfter ? wait : MaxRetryAfter), ct).ConfigureAwait(false);
        }
        catch (TransientDeliveryException)
        {
            ports.Metrics.Count("DeliveryFailures", ("Channel", delivery.Channel), ("Kind", "transient"));
            throw;
        }
        catch (PermanentDeliveryException)
        {
            ports.Metrics.Count("DeliveryFailures", ("Channel", delivery.Channel), ("Kind", "permanent"));
            throw;
        }

        ports.Metrics.Count("DeliveriesSent", ("Channel", delivery.Channel));
        return new DeliverResult(delivery.Receiver, delivery.Channel, delivery.DedupKey, status);
    }

    /// <summary>
    /// Sends once; when the receiver says 429/503 with a short Retry-After, waits exactly that long and sends once more,
    /// so a rate-limited receiver (Slack, PagerDuty) is retried when it asked, not on our backoff's schedule.
    /// </summary>
    private async Task<int> SendHonouringRetryAfterAsync(Delivery delivery, CancellationToken ct)
    {
        try
        {
            return await sender.SendAsync(delivery, ct).ConfigureAwait(false);
        }
        catch (TransientDeliveryException e) when (e.RetryAfter is { } wait && wait > TimeSpan.Zero && wait <= MaxInlineRetryAfter)
        {
            ports.Metrics.Count("DeliveryFailures", ("Channel", delivery.Channel), ("Kind", "rate-limited"));
            // Real time, not the pipeline's clock: this is waiting on the receiver, not deciding anything.
            await Task.Delay(wait, ct).ConfigureAwait(false);
            return await sender.SendAsync(delivery, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Counts the delivery against its receiver's minute and says whether the guard holds it. The store briefly
    /// unavailable is a transient delivery error (retried); any other failure of the guard's own store lets the
    /// delivery go: a broken counter must not stop pages.
    /// </summary>
    private async Task<bool> HeldByFloodGuardAsync(Delivery delivery, DateTimeOffset now, CancellationToken ct)
    {
        var cap = FloodGuard.AlwaysSent(delivery) ? (int?)null : config.Defaults.FloodGuard.ReceiverCap(delivery.Channel);
        try
        {
            if (await ports.Floods.TryCountAsync(delivery.Receiver, now, cap, ct).ConfigureAwait(false))
            {
                return false;
            }

            await ports.Floods.HoldAsync(delivery.Receiver, forAlert: false, 1, now, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (ports.Faults.IsTransient(e))
        {
            throw new TransientDeliveryException($"{ports.Faults.Describe(e)} counting the delivery: retry");
        }
        catch (Exception e) when (ports.Faults.IsStoreFailure(e))
        {
            ports.Metrics.Count("FloodGuardFailures", ("Channel", delivery.Channel));
            return false;
        }
    }

    private async Task<DeliverResult> DeferAsync(Delivery delivery, DateTimeOffset retryAt, CancellationToken ct)
    {
        try
        {
            await ports.Deferred.PutAsync(delivery with { Deferrals = delivery.Deferrals + 1 }, retryAt, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ports.Faults.IsTransient(e))
        {
            throw new TransientDeliveryException($"{ports.Faults.Describe(e)} deferring the delivery: retry");
        }

        ports.Metrics.Count("DeliveriesDeferred", ("Channel", delivery.Channel));
        return new DeliverResult(delivery.Receiver, delivery.Channel, delivery.DedupKey, 0) { DeferredUntil = retryAt };
    }
}
