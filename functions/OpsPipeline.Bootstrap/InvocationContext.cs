namespace OpsPipeline.Bootstrap;

/// <summary>What one invocation tells its handler: who called, and how long it has (from the Runtime API's headers).</summary>
public sealed class InvocationContext(string requestId, string? invokedFunctionArn, DateTimeOffset deadline, TimeProvider clock, CancellationToken cancellation)
{
    /// <summary>Lambda-Runtime-Aws-Request-Id.</summary>
    public string RequestId { get; } = requestId;

    /// <summary>Lambda-Runtime-Invoked-Function-Arn: the function, version or alias the caller named.</summary>
    public string? InvokedFunctionArn { get; } = invokedFunctionArn;

    /// <summary>Lambda-Runtime-Deadline-Ms: when Lambda stops the invocation.</summary>
    public DateTimeOffset Deadline { get; } = deadline;

    /// <summary>Time left until <see cref="Deadline"/> (negative once past it).</summary>
    public TimeSpan RemainingTime => Deadline - clock.GetUtcNow();

    /// <summary>Cancelled <see cref="RuntimeLoop.DeadlineReserve"/> before the deadline, so a handler that stops then can still report its error.</summary>
    public CancellationToken Cancellation { get; } = cancellation;
}

/// <summary>A handler as the bootstrap runs it: the event's bytes in, the response's bytes out.</summary>
public delegate Task<Stream> LambdaHandler(Stream input, InvocationContext context);
