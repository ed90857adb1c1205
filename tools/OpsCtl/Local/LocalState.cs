using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace OpsCtl.Local;

/// <summary>
/// The local stack's DynamoDB on its own, over a kept state directory: what `opsctl silence` and
/// `opsctl drill report` use locally. The state directory is locked while one opsctl uses it.
/// </summary>
public sealed class LocalState : IAsyncDisposable
{
    private readonly Process _node;
    private readonly FileStream _lock;

    private LocalState(Process node, FileStream stateLock, IAmazonDynamoDB dynamo, string endpoint)
    {
        _node = node;
        _lock = stateLock;
        Dynamo = dynamo;
        Endpoint = endpoint;
    }

    public IAmazonDynamoDB Dynamo { get; }

    /// <summary>The local DynamoDB's URL, for processes of our own (AWS_ENDPOINT_URL_DYNAMODB).</summary>
    public string Endpoint { get; }

    /// <summary>Takes the state directory's lock (created if missing); null directory: no lock needed.</summary>
    public static FileStream? Lock(string? stateDir)
    {
        if (stateDir is null)
        {
            return null;
        }

        Directory.CreateDirectory(stateDir);
        var path = Path.Combine(stateDir, "opsctl.lock");
        try
        {
            // LevelDB under dynalite allows one process; two opsctl on one directory would corrupt or fail it.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new CommandFailedException(ExitCodes.RunFailed, $"--state {stateDir}: another opsctl is using this state directory (lock {path}); wait for it to finish");
        }
    }

    public static async Task<LocalState> OpenAsync(string stateDir, CancellationToken ct)
    {
        await RepoPaths.EnsureLocalStackInstalledAsync(TextWriter.Null, ct).ConfigureAwait(false);
        var stateLock = Lock(stateDir)!;
        try
        {
            var psi = new ProcessStartInfo(RepoPaths.Node)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = RepoPaths.Root,
            };
            psi.ArgumentList.Add(Path.Combine(RepoPaths.LocalTools, "stack.mjs"));
            psi.ArgumentList.Add("--dynamo-path");
            psi.ArgumentList.Add(Path.Combine(Path.GetFullPath(stateDir), "dynamodb"));
            var node = Process.Start(psi) ?? throw new InvalidOperationException("could not start the local stack (node)");
            var line = await node.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("the local stack exited before it was ready: " + await node.StandardError.ReadToEndAsync(ct).ConfigureAwait(false));
            using var ready = JsonDocument.Parse(line);
            var endpoint = ready.RootElement.GetProperty("dynamodbEndpoint").GetString()!;
            var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig
            {
                ServiceURL = endpoint,
                AuthenticationRegion = "us-east-1",
            });
            await LocalStack.CreateTableAsync(dynamo, ct).ConfigureAwait(false);
            return new LocalState(node, stateLock, dynamo, endpoint);
        }
        catch
        {
            await stateLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Dynamo.Dispose();
        try
        {
            _node.StandardInput.Close();
            await _node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            _node.Kill(entireProcessTree: true);
        }

        _node.Dispose();
        await _lock.DisposeAsync().ConfigureAwait(false);
    }
}
