using System.Globalization;
using System.Text.Json;
using OpsPipeline.Functions;

namespace OpsPipeline.Bootstrap;

/// <summary>
/// The handlers this bootstrap can run, by the _HANDLER string: the managed build's handler strings, so the template
/// names one handler whichever build it deploys. A switch, not reflection: Native AOT keeps what is referenced.
/// </summary>
public static class Handlers
{
    /// <summary>A runtime self-check: answers with what the loop gave it (request id, function ARN, deadline, trace variable).</summary>
    public const string InvocationEcho = "OpsPipeline.Bootstrap::InvocationEcho";

    /// <summary>Constructs the handler as the managed runtime would (its parameterless constructor, once per environment).</summary>
    public static LambdaHandler Create(string? name) => name switch
    {
        "OpsPipeline.Functions::OpsPipeline.Functions.DecideFunction::Handle" => Bind(new DecideFunction().HandleAsync),
        "OpsPipeline.Functions::OpsPipeline.Functions.DeliverFunction::Handle" => Bind(new DeliverFunction().HandleAsync),
        "OpsPipeline.Functions::OpsPipeline.Functions.TickFunction::Handle" => Bind(new TickFunction().HandleAsync),
        "OpsPipeline.Functions::OpsPipeline.Functions.DlqEnrichFunction::Handle" => Bind(new DlqEnrichFunction().HandleAsync),
        InvocationEcho => EchoAsync,
        null or "" => throw new NoSuchHandlerException("_HANDLER is not set"),
        _ => throw new NoSuchHandlerException($"no handler {name} in this bootstrap"),
    };

    private static LambdaHandler Bind(Func<Stream, CancellationToken, Task<Stream>> handle) => (input, context) => handle(input, context.Cancellation);

    /// <summary>Echoes the invocation; an input of {"waitForCancellation":true} waits for the deadline's cancellation first.</summary>
    private static async Task<Stream> EchoAsync(Stream input, InvocationContext context)
    {
        using var document = await JsonDocument.ParseAsync(input, cancellationToken: context.Cancellation).ConfigureAwait(false);
        var waited = false;
        if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("waitForCancellation", out var wait) && wait.ValueKind == JsonValueKind.True)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.Cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                waited = true;
            }
        }

        var output = new MemoryStream();
        await using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("requestId", context.RequestId);
            json.WriteString("invokedFunctionArn", context.InvokedFunctionArn);
            json.WriteNumber("deadlineMs", context.Deadline.ToUnixTimeMilliseconds());
            json.WriteNumber("remainingMs", Math.Round(context.RemainingTime.TotalMilliseconds));
            json.WriteBoolean("cancelled", waited);
            json.WriteString("traceId", Environment.GetEnvironmentVariable(RuntimeLoop.TraceIdVariable));
            json.WriteString("processId", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        output.Position = 0;
        return output;
    }
}

/// <summary>_HANDLER names no handler of this bootstrap (reported as Runtime.NoSuchHandler, Lambda's name for it).</summary>
public sealed class NoSuchHandlerException(string message) : Exception(message);
