using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Ports;

/// <summary>Sends one delivery to its receiver; a failure is a <see cref="TransientDeliveryException"/> or a <see cref="PermanentDeliveryException"/>.</summary>
public interface IDeliverySender
{
    /// <summary>The receiver's HTTP status when it accepted the delivery.</summary>
    Task<int> SendAsync(Delivery delivery, CancellationToken ct);
}

// The type names below are Step Functions error names (the managed runtime reports an unhandled exception's type name
// as errorType), matched by ErrorEquals in statemachines/alert-pipeline.asl.json.

/// <summary>A delivery failed in a way that may succeed later (timeout, 5xx, 429): retried with backoff and jitter.</summary>
public sealed class TransientDeliveryException(string message, TimeSpan? retryAfter = null) : Exception(message)
{
    /// <summary>The receiver's Retry-After, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>A delivery the receiver will never accept as sent (4xx other than 408/429, bad routing key): not retried, parked.</summary>
public sealed class PermanentDeliveryException(string message) : Exception(message);
