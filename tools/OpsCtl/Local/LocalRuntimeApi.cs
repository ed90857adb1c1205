using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpsCtl.Local;

/// <summary>
/// A local Lambda Runtime API (2018-06-01) in front of one real `bootstrap` process: the deployed artifact, run as a
/// child with only the environment Lambda gives a function. Strict as Lambda: one invocation at a time, responses over
/// 6 MB refused with 413, results for another request id refused with 400, the deadline enforced by stopping the
/// process, and an init/error (or an exit before the first next) fails the invocations waiting for it.
/// </summary>
public sealed class LocalRuntimeApi : IAsyncDisposable
{
    /// <summary>Lambda's limit on a synchronous invocation's response payload.</summary>
    public const int MaxResponseBytes = 6 * 1024 * 1024;

    public const string Account = "123456789012";
    public const string Region = "us-east-1";

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly TaskCompletionSource<RuntimeInitError?> _init = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();
    private readonly string _functionName;
    private WebApplication? _host;
    private Process? _process;
    private Pending? _inFlight;
    private bool _exited;
    private long _startedAt;

    private LocalRuntimeApi(string functionName) => _functionName = functionName;

    /// <summary>host:port, as AWS_LAMBDA_RUNTIME_API carries it.</summary>
    public string Host { get; private set; } = "";

    /// <summary>The bootstrap's process id (one execution environment: it handles every invocation until it exits).</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Time since the bootstrap process was started (what a cold start costs up to now).</summary>
    public TimeSpan SinceStart => Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>From process start to its first GET invocation/next: Lambda's Init duration.</summary>
    public TimeSpan? InitDuration { get; private set; }

    /// <summary>Resolves once init is over: null when the bootstrap asked for its first invocation, the error when it posted init/error or exited.</summary>
    public Task<RuntimeInitError?> Init => _init.Task;

    /// <summary>The process's stdout and stderr so far (the function's log).</summary>
    public string Log
    {
        get
        {
            lock (_stderr)
            {
                return _stdout.ToString() + _stderr;
            }
        }
    }

    /// <summary>The peak resident memory of the bootstrap so far (VmHWM), what Lambda reports as Max Memory Used.</summary>
    public long PeakResidentBytes()
    {
        var status = File.ReadAllLines($"/proc/{ProcessId}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The bootstrap's user + system CPU time so far, all threads (/proc/PID/stat utime and stime, in clock ticks of 10 ms).</summary>
    public TimeSpan CpuTime()
    {
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var stat = File.ReadAllText($"/proc/{ProcessId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>
    /// Starts the API, then <paramref name="bootstrap"/> with _HANDLER = <paramref name="handler"/>, its folder as
    /// LAMBDA_TASK_ROOT and the working directory, and <paramref name="environment"/> (the function's variables) on top
    /// of Lambda's own. Nothing of this process's environment is inherited.
    /// </summary>
    public static async Task<LocalRuntimeApi> StartAsync(string bootstrap, string handler, string functionName, IReadOnlyDictionary<string, string> environment, int memoryMb = 1024, CancellationToken ct = default)
    {
        var api = new LocalRuntimeApi(functionName);
        await api.StartHostAsync(ct).ConfigureAwait(false);
        var taskRoot = Path.GetDirectoryName(Path.GetFullPath(bootstrap))!;
        var psi = new ProcessStartInfo(Path.GetFullPath(bootstrap))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = taskRoot,
        };
        psi.Environment.Clear();
        var lambda = new Dictionary<string, string>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = api.Host,
            ["_HANDLER"] = handler,
            ["LAMBDA_TASK_ROOT"] = taskRoot,
            ["LAMBDA_RUNTIME_DIR"] = taskRoot,
            ["AWS_LAMBDA_FUNCTION_NAME"] = functionName,
            ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = memoryMb.ToString(CultureInfo.InvariantCulture),
            ["AWS_REGION"] = Region,
            ["AWS_DEFAULT_REGION"] = Region,
            ["AWS_EXECUTION_ENV"] = "AWS_Lambda_provided.al2023",
            ["TZ"] = ":UTC",
            ["LANG"] = "en_US.UTF-8",
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        };
        foreach (var (key, value) in lambda.Concat(environment))
        {
            psi.Environment[key] = value;
        }

        api._process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        api._process.OutputDataReceived += (_, e) => api.Append(api._stdout, e.Data);
        api._process.ErrorDataReceived += (_, e) => api.Append(api._stderr, e.Data);
        api._process.Exited += (_, _) => api.OnExited();
        api._startedAt = Stopwatch.GetTimestamp();
        api._process.Start();
        api._process.BeginOutputReadLine();
        api._process.BeginErrorReadLine();
        return api;
    }

    /// <summary>
    /// One synchronous invocation (RequestResponse): queued until the bootstrap asks for it, then the result it posts,
    /// or a timeout once <paramref name="timeout"/> passes (the process is stopped, as Lambda stops a timed-out environment).
    /// </summary>
    public async Task<RuntimeInvocationResult> InvokeAsync(byte[] payload, TimeSpan timeout, string? traceId = null, CancellationToken ct = default)
    {
        var pending = new Pending(Guid.NewGuid().ToString(), payload, timeout, traceId);
        if (_exited)
        {
            return pending.ExitedResult(await _init.Task.ConfigureAwait(false));
        }

        await _queue.Writer.WriteAsync(pending, ct).ConfigureAwait(false);
        if (_exited)
        {
            // Exited while this was being queued: nothing will take it.
            pending.Result.TrySetResult(pending.ExitedResult(await _init.Task.ConfigureAwait(false)));
        }

        var finished = await Task.WhenAny(pending.Result.Task, Task.Delay(timeout + TimeSpan.FromSeconds(30), ct)).ConfigureAwait(false);
        if (finished != pending.Result.Task)
        {
            // Never handed out (the bootstrap is stuck in init): Lambda's init timeout.
            Kill();
            pending.Result.TrySetResult(RuntimeInvocationResult.Failure(pending.RequestId, "Sandbox.Timedout", $"{pending.RequestId} was never taken by the bootstrap"));
        }

        return await pending.Result.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        if (_process is not null)
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            _process.Dispose();
        }

        if (_host is not null)
        {
            await _host.StopAsync().ConfigureAwait(false);
            await _host.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Kill()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // not started, or already gone
        }
    }

    private void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            log.AppendLine(line);
        }
    }

    private void OnExited()
    {
        _exited = true;
        var code = _process?.ExitCode ?? -1;
        _init.TrySetResult(new RuntimeInitError("Runtime.ExitError", Encoding.UTF8.GetBytes($"{{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"RequestId: none Error: Runtime exited with error: exit status {code}\"}}")));
        var error = _init.Task.Result;
        Interlocked.Exchange(ref _inFlight, null)?.Result.TrySetResult(error is { ErrorType: not "Runtime.ExitError" }
            ? RuntimeInvocationResult.FromInitError("none", error)
            : RuntimeInvocationResult.Failure("none", "Runtime.ExitError", $"Runtime exited with error: exit status {code}"));
        while (_queue.Reader.TryRead(out var waiting))
        {
            waiting.Result.TrySetResult(waiting.ExitedResult(error));
        }
    }

    private async Task StartHostAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0);
            // Read whole, then judged by MaxResponseBytes: a 413 is the API's answer, not a broken connection.
            k.Limits.MaxRequestBodySize = 2L * MaxResponseBytes;
        });
        var app = builder.Build();
        app.MapGet("/2018-06-01/runtime/invocation/next", NextAsync);
        app.MapPost("/2018-06-01/runtime/invocation/{requestId}/response", (HttpContext http, string requestId) => ResultAsync(http, requestId, isError: false));
        app.MapPost("/2018-06-01/runtime/invocation/{requestId}/error", (HttpContext http, string requestId) => ResultAsync(http, requestId, isError: true));
        app.MapPost("/2018-06-01/runtime/init/error", InitErrorAsync);
        await app.StartAsync(ct).ConfigureAwait(false);
        _host = app;
        Host = new Uri(app.Urls.First()).Authority.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
    }

    private async Task NextAsync(HttpContext http)
    {
        if (_inFlight is { } unanswered)
        {
            // Lambda's runtime API has one invocation per environment at a time: asking again means the last got no result.
            _inFlight = null;
            unanswered.Result.TrySetResult(RuntimeInvocationResult.Failure(unanswered.RequestId, "Runtime.InvalidResponse", "the runtime asked for the next invocation before posting a result"));
        }

        if (_init.TrySetResult(null))
        {
            InitDuration = SinceStart;
        }

        var pending = await _queue.Reader.ReadAsync(http.RequestAborted).ConfigureAwait(false);
        var deadline = DateTimeOffset.UtcNow + pending.Timeout;
        _inFlight = pending;
        pending.StartDeadline(this);
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        http.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = pending.RequestId;
        http.Response.Headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        http.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = $"arn:aws:lambda:{Region}:{Account}:function:{_functionName}";
        if (pending.TraceId is { } trace)
        {
            http.Response.Headers["Lambda-Runtime-Trace-Id"] = trace;
        }

        await http.Response.Body.WriteAsync(pending.Payload, http.RequestAborted).ConfigureAwait(false);
    }

    private async Task ResultAsync(HttpContext http, string requestId, bool isError)
    {
        var body = await ReadBodyAsync(http).ConfigureAwait(false);
        var pending = _inFlight;
        if (pending is null || pending.RequestId != requestId)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, "InvalidRequestID", "Invalid request ID").ConfigureAwait(false);
            return;
        }

        if (body.Length > MaxResponseBytes)
        {
            _inFlight = null;
            pending.Result.TrySetResult(RuntimeInvocationResult.Failure(requestId, "Function.ResponseSizeTooLarge", $"Response payload size ({body.Length} bytes) exceeded maximum allowed payload size ({MaxResponseBytes} bytes)."));
            await WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge", "Response payload too large").ConfigureAwait(false);
            return;
        }

        _inFlight = null;
        pending.Result.TrySetResult(isError
            ? new RuntimeInvocationResult(requestId, body, http.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault() ?? "Unhandled")
            : new RuntimeInvocationResult(requestId, body, FunctionError: null));
        await WriteAsync(http, StatusCodes.Status202Accepted, null, null).ConfigureAwait(false);
    }

    private async Task InitErrorAsync(HttpContext http)
    {
        var body = await ReadBodyAsync(http).ConfigureAwait(false);
        if (_init.Task.IsCompleted)
        {
            // Past init: Lambda answers 403 to a late init error.
            await WriteAsync(http, StatusCodes.Status403Forbidden, "InvalidStateTransition", "State transition from Ready to InitError failed for runtime").ConfigureAwait(false);
            return;
        }

        _init.TrySetResult(new RuntimeInitError(http.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault(), body));
        await WriteAsync(http, StatusCodes.Status202Accepted, null, null).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static Task WriteAsync(HttpContext http, int status, string? errorType, string? message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(errorType is null
            ? "{\"status\":\"OK\"}"
            : $"{{\"errorMessage\":\"{message}\",\"errorType\":\"{errorType}\"}}");
    }

    private sealed class Pending(string requestId, byte[] payload, TimeSpan timeout, string? traceId)
    {
        public string RequestId { get; } = requestId;

        public byte[] Payload { get; } = payload;

        public TimeSpan Timeout { get; } = timeout;

        public string? TraceId { get; } = traceId;

        public TaskCompletionSource<RuntimeInvocationResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>At the deadline Lambda stops the environment; the invocation fails with its timeout message.</summary>
        public void StartDeadline(LocalRuntimeApi api) => _ = Task.Delay(Timeout).ContinueWith(
            _ =>
            {
                if (Result.TrySetResult(RuntimeInvocationResult.Failure(RequestId, "Sandbox.Timedout", $"Task timed out after {Timeout.TotalSeconds:0.00} seconds")))
                {
                    api._inFlight = null;
                    api.Kill();
                }
            },
            TaskScheduler.Default);

        public RuntimeInvocationResult ExitedResult(RuntimeInitError? error) => error is { ErrorType: not "Runtime.ExitError" }
            ? RuntimeInvocationResult.FromInitError(RequestId, error)
            : RuntimeInvocationResult.Failure(RequestId, "Runtime.ExitError", "Runtime exited before it took the invocation");
    }
}

/// <summary>One invocation's result: the payload the function posted and, for an error, its Lambda-Runtime-Function-Error-Type (X-Amz-Function-Error's detail).</summary>
public sealed record RuntimeInvocationResult(string RequestId, byte[] Payload, string? FunctionError)
{
    public bool IsError => FunctionError is not null;

    public string PayloadText => Encoding.UTF8.GetString(Payload);

    public static RuntimeInvocationResult Failure(string requestId, string errorType, string message) =>
        new(requestId, Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["errorType"] = errorType, ["errorMessage"] = message })), errorType);

    public static RuntimeInvocationResult FromInitError(string requestId, RuntimeInitError error) => new(requestId, error.Body, error.ErrorType ?? "Runtime.Unknown");
}

/// <summary>What the bootstrap posted to init/error (or Runtime.ExitError when it exited without asking for an invocation).</summary>
public sealed record RuntimeInitError(string? ErrorType, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
}
