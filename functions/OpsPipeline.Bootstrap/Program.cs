using OpsPipeline.Bootstrap;

// bootstrap: Lambda starts it in a provided.al2023 execution environment (or a test behind a local Runtime API).
// Init builds the handler _HANDLER names; a failure there goes to init/error, and the process exits.
var host = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
if (string.IsNullOrEmpty(host))
{
    await Console.Error.WriteLineAsync("bootstrap: AWS_LAMBDA_RUNTIME_API is not set (run it in Lambda or behind a local Runtime API)").ConfigureAwait(false);
    return 2;
}

using var api = RuntimeApiClient.ForHost(host);
LambdaHandler handler;
try
{
    handler = Handlers.Create(Environment.GetEnvironmentVariable("_HANDLER"));
}
catch (Exception e)
{
    var error = e is NoSuchHandlerException ? new RuntimeError("Runtime.NoSuchHandler", e.Message, []) : RuntimeError.From(e);
    await Console.Error.WriteLineAsync($"bootstrap: init failed: {error}").ConfigureAwait(false);
    await api.ReportInitErrorAsync(error, CancellationToken.None).ConfigureAwait(false);
    return 1;
}

return await new RuntimeLoop(api, handler, TimeProvider.System, Console.Error).RunAsync(CancellationToken.None).ConfigureAwait(false);
