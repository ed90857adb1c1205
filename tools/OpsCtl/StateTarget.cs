using System.CommandLine;
using Amazon.DynamoDBv2;
using OpsCtl.Local;

namespace OpsCtl;

/// <summary>
/// Where operator commands read and write pipeline state: the local stack's kept state directory (--state,
/// default .local/state in the repo) or a deployed pipeline's table (--table, default AWS credentials).
/// </summary>
public sealed class StateTarget : IAsyncDisposable
{
    private readonly LocalState? _local;

    private StateTarget(IAmazonDynamoDB dynamo, string table, LocalState? local)
    {
        Dynamo = dynamo;
        Table = table;
        _local = local;
    }

    public IAmazonDynamoDB Dynamo { get; }

    public string Table { get; }

    public static string DefaultStateDir => Path.Combine(RepoPaths.Root, ".local", "state");

    public static Option<string?> StateOption() => new("--state") { Description = "Local state directory (default: .local/state in the repo); `opsctl local --state DIR` uses the same" };

    public static Option<string?> TableOption() => new("--table") { Description = "The deployed pipeline's DynamoDB table (stack output AlertTableName); uses your AWS credentials" };

    public static async Task<StateTarget> OpenAsync(string? stateDir, string? table, CancellationToken ct)
    {
        if (table is not null)
        {
            return new StateTarget(new AmazonDynamoDBClient(), table, null);
        }

        var local = await LocalState.OpenAsync(stateDir ?? DefaultStateDir, ct).ConfigureAwait(false);
        return new StateTarget(local.Dynamo, LocalStack.TableName, local);
    }

    public async ValueTask DisposeAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            Dynamo.Dispose();
        }
    }
}
