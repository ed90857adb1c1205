using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace OpsPipeline.Deployment.Tests;

/// <summary>tools/local/stack.mjs under node 22, driven over its stdin/stdout JSON-lines protocol.</summary>
internal sealed class StackProcess : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _stderr = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _results = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<JsonObject> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StackProcess(Process process, string dir)
    {
        _process = process;
        _dir = dir;
    }

    /// <summary>Every stdout line, in order: the protocol allows nothing else there.</summary>
    public ConcurrentQueue<string> StdoutLines { get; } = new();

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static StackProcess Start(string lambdaAndSinkUrl, IReadOnlyDictionary<string, string> substitutions, int? retryIntervalMs = null)
    {
        var dir = Directory.CreateTempSubdirectory("stack-mjs-").FullName;
        var substitutionsFile = Path.Combine(dir, "substitutions.json");
        var values = new JsonObject();
        foreach (var (name, value) in substitutions)
        {
            values[name] = value;
        }

        File.WriteAllText(substitutionsFile, values.ToJsonString());
        var psi = new ProcessStartInfo(RepoFiles.Node)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoFiles.Root,
        };
        foreach (var arg in new[] { RepoFiles.StackScript, "--definition", RepoFiles.Asl, "--substitutions", substitutionsFile, "--sink", lambdaAndSinkUrl })
        {
            psi.ArgumentList.Add(arg);
        }

        if (retryIntervalMs is { } ms)
        {
            psi.ArgumentList.Add("--retry-interval-ms");
            psi.ArgumentList.Add(ms.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        psi.Environment["AWS_ENDPOINT_URL_LAMBDA"] = lambdaAndSinkUrl;
        psi.Environment["AWS_REGION"] = "us-east-1";
        psi.Environment["AWS_ACCESS_KEY_ID"] = "local";
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = "local";
        psi.Environment.Remove("AWS_PROFILE");

        var stack = new StackProcess(Process.Start(psi)!, dir);
        stack.Pump();
        return stack;
    }

    /// <summary>Waits for the ready line; fails with the script's stderr if it exits first.</summary>
    public async Task<JsonObject> ReadyAsync()
    {
        var first = await Task.WhenAny(_ready.Task, _stdoutClosed.Task).WaitAsync(Patience);
        Assert.True(first == _ready.Task, $"stack.mjs exited before ready (exit {ExitCode}):\n{Stderr}");
        return await _ready.Task;
    }

    public async Task<JsonObject> ExecuteAsync(string id, JsonNode? input)
    {
        var result = _results.GetOrAdd(id, _ => new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously));
        var line = new JsonObject { ["type"] = "start", ["id"] = id, ["input"] = input?.DeepClone() }.ToJsonString();
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
        var first = await Task.WhenAny(result.Task, _stdoutClosed.Task).WaitAsync(Patience);
        Assert.True(first == result.Task, $"stack.mjs exited without a result for {id} (exit {ExitCode}):\n{Stderr}");
        return await result.Task;
    }

    /// <summary>Closes stdin (the protocol's "no more executions") and waits for the exit code.</summary>
    public async Task<int> CloseAsync()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The script already exited (e.g. a startup error): nothing left to tell it.
        }

        await _process.WaitForExitAsync().WaitAsync(Patience);
        await _stdoutClosed.Task.WaitAsync(Patience);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private void Pump()
    {
        _ = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                StdoutLines.Enqueue(line);
                JsonObject message;
                try
                {
                    message = JsonNode.Parse(line)!.AsObject();
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
                {
                    continue; // Tests assert StdoutLines are all protocol JSON.
                }

                switch (message["type"]?.GetValue<string>())
                {
                    case "ready":
                        _ready.TrySetResult(message);
                        break;
                    case "result":
                        _results.GetOrAdd(message["id"]!.GetValue<string>(), _ => new(TaskCreationOptions.RunContinuationsAsynchronously))
                            .TrySetResult(message);
                        break;
                }
            }

            _stdoutClosed.TrySetResult();
        });
        _ = Task.Run(async () =>
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        });
    }
}
