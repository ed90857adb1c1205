using System.Net;

namespace OpsPipeline.Bootstrap;

/// <summary>
/// The custom runtime's processing loop: next invocation, the handler, then its response or its error; for as many
/// invocations as Lambda sends this execution environment. Each invocation gets its own trace id and deadline.
/// </summary>
public sealed class RuntimeLoop(RuntimeApiClient api, LambdaHandler handler, TimeProvider clock, TextWriter log)
{
    /// <summary>The handler's cancellation fires this long before the deadline, leaving time to post its error before Lambda stops it.</summary>
    public static readonly TimeSpan DeadlineReserve = TimeSpan.FromMilliseconds(250);

    /// <summary>The variable the X-Ray SDKs and the AWS SDK read the invocation's trace header from.</summary>
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>Runs invocations until the Runtime API says the runtime cannot go on (500) or <paramref name="stop"/> fires; returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var next = await api.NextAsync(stop).ConfigureAwait(false);
            // Per invocation, never left over from the one before: an invocation without the header has no trace.
            Environment.SetEnvironmentVariable(TraceIdVariable, string.IsNullOrEmpty(next.TraceId) ? null : next.TraceId);
            var status = await InvokeAsync(next, stop).ConfigureAwait(false);
            if (status == HttpStatusCode.InternalServerError)
            {
                await log.WriteLineAsync($"runtime: the Runtime API answered 500 for {next.RequestId}: exiting, as a runtime must").ConfigureAwait(false);
                return 1;
            }

            if (status != HttpStatusCode.Accepted)
            {
                // 400/403/413: Lambda has failed this invocation itself (e.g. a response over 6 MB); the environment goes on.
                await log.WriteLineAsync($"runtime: the Runtime API answered {(int)status} for {next.RequestId}'s result").ConfigureAwait(false);
            }
        }

        return 0;
    }

    private async Task<HttpStatusCode> InvokeAsync(NextInvocation next, CancellationToken stop)
    {
        var untilCancel = next.Deadline - DeadlineReserve - clock.GetUtcNow();
        using var deadline = new CancellationTokenSource(untilCancel > TimeSpan.Zero ? untilCancel : TimeSpan.Zero, clock);
        var context = new InvocationContext(next.RequestId, next.InvokedFunctionArn, next.Deadline, clock, deadline.Token);
        Stream output;
        try
        {
            output = await handler(new MemoryStream(next.Payload, writable: false), context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var error = RuntimeError.From(e);
            // The function's log shows what the caller gets, as the managed runtime logs an unhandled exception.
            await log.WriteLineAsync($"runtime: {next.RequestId} failed: {error}").ConfigureAwait(false);
            return await api.ReportInvocationErrorAsync(next.RequestId, error, stop).ConfigureAwait(false);
        }

        await using (output.ConfigureAwait(false))
        {
            return await api.RespondAsync(next.RequestId, output, stop).ConfigureAwait(false);
        }
    }
}
