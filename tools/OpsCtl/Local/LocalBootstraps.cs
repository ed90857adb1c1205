using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpsCtl.Local;

/// <summary>
/// The functions the local stack runs as the real AOT bootstrap (LocalStackOptions.BootstrapDir) instead of in
/// process: each one a child process behind its own <see cref="LocalRuntimeApi"/>, started at its first invocation,
/// with the template's environment and its own role's credentials, so its DynamoDB calls pass the same IAM check.
/// </summary>
internal sealed class LocalBootstraps(string packageDir) : IAsyncDisposable
{
    /// <summary>What runs through the binary: every function the template deploys.</summary>
    public static readonly IReadOnlySet<string> Functions = new HashSet<string>(StringComparer.Ordinal) { "ops-decide", "ops-deliver", "ops-tick", "ops-dlq-enrich" };

    private readonly Dictionary<string, (string Handler, Dictionary<string, string> Environment)> _declared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalRuntimeApi> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    private long _invocations;

    /// <summary>Invocations the binaries answered (responses and errors alike).</summary>
    public long Invocations => Interlocked.Read(ref _invocations);

    public bool Serves(string function) => _declared.ContainsKey(function);

    /// <summary>
    /// Declares a function from its template resource: its handler, its variables, its role's access key, the local
    /// AWS endpoint (DynamoDB, SSM, SQS), PagerDuty's local Events API, and the config file it reads (null: the package's).
    /// </summary>
    public void Declare(string function, JsonNode? properties, JsonObject variables, string accessKey, string awsEndpoint, Uri pagerDutyEvents, string? configFile)
    {
        if (!Functions.Contains(function))
        {
            return;
        }

        var environment = variables.ToDictionary(v => v.Key, v => v.Value is JsonValue value && value.TryGetValue<string>(out var text) ? text : v.Value?.ToJsonString() ?? string.Empty, StringComparer.Ordinal);
        environment["AWS_ACCESS_KEY_ID"] = accessKey;
        environment["AWS_SECRET_ACCESS_KEY"] = "local";
        environment["AWS_ENDPOINT_URL_DYNAMODB"] = awsEndpoint;
        environment["AWS_ENDPOINT_URL_SSM"] = awsEndpoint;
        environment["AWS_ENDPOINT_URL_SQS"] = awsEndpoint;
        environment["PAGERDUTY_EVENTS_URL"] = pagerDutyEvents.ToString();
        if (configFile is not null)
        {
            environment["OPS_CONFIG_FILE"] = Path.GetFullPath(configFile);
        }

        _declared[function] = ((string?)properties?["Handler"] ?? throw new InvalidOperationException($"{function}: no Handler"), environment);
    }

    /// <summary>
    /// One invocation through the binary: its response, or its error as the exception the Invoke route reports.
    /// <paramref name="during"/> is opened once the invocation has the execution environment and disposed when it
    /// ends, so what the binary does meanwhile (a receiver's request) belongs to this invocation.
    /// </summary>
    public async Task<Stream> InvokeAsync(string function, MemoryStream body, TimeSpan timeout, CancellationToken ct, Func<IDisposable>? during = null)
    {
        LocalRuntimeApi api;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var scope = during?.Invoke();
            if (!_running.TryGetValue(function, out api!))
            {
                var (handler, environment) = _declared[function];
                api = await LocalRuntimeApi.StartAsync(Path.Combine(packageDir, "bootstrap"), handler, function, environment, ct: ct).ConfigureAwait(false);
                _running[function] = api;
                ProcessesStarted++;
            }

            // One execution environment, one invocation at a time: concurrent invocations queue, as on one warm instance.
            var result = await api.InvokeAsync(body.ToArray(), timeout, ct: ct).ConfigureAwait(false);
            Interlocked.Increment(ref _invocations);
            if (result.IsError)
            {
                using var error = JsonDocument.Parse(result.Payload);
                throw new BootstrapFunctionException(
                    error.RootElement.TryGetProperty("errorType", out var type) ? type.GetString() ?? result.FunctionError! : result.FunctionError!,
                    error.RootElement.TryGetProperty("errorMessage", out var message) ? message.GetString() ?? string.Empty : string.Empty);
            }

            return new MemoryStream(result.Payload);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stops every running binary, so each function's next invocation starts a new process (a cold start: process
    /// start, init, cold clients and caches), as Lambda does for a new execution environment.
    /// </summary>
    public async Task RecycleAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await StopAllAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Processes started so far (one per function per cold start).</summary>
    public int ProcessesStarted { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task StopAllAsync()
    {
        foreach (var api in _running.Values)
        {
            await api.DisposeAsync().ConfigureAwait(false);
        }

        _running.Clear();
    }
}

/// <summary>The bootstrap reported an invocation error: its errorType (the exception's name) is what the caller sees.</summary>
internal sealed class BootstrapFunctionException(string errorType, string message) : Exception(message), ILambdaPlatformError
{
    public string ErrorType { get; } = errorType;
}
