using System.CommandLine;
using Amazon.DynamoDBv2;
using OpsCtl.Deployed;
using OpsCtl.Local;

namespace OpsCtl;

/// <summary>
/// Where operator commands read and write pipeline state: the local stack's kept state directory (--state,
/// default .local/state in the repo), a deployed pipeline's table by name (--table), or a deployed stack by name
/// (--stack, --region, --profile: its table from the stack's SSM parameters).
/// </summary>
public sealed class StateTarget : IAsyncDisposable
{
    private readonly LocalState? _local;

    private StateTarget(IAmazonDynamoDB dynamo, string table, LocalState? local, AwsSession? session, StackOutputs? outputs)
    {
        Dynamo = dynamo;
        Table = table;
        _local = local;
        Session = session;
        Outputs = outputs;
    }

    public IAmazonDynamoDB Dynamo { get; }

    public string Table { get; }

    /// <summary>The AWS session of a deployed target; null for the local state.</summary>
    public AwsSession? Session { get; }

    /// <summary>The stack's parameters when the target was found by --stack; null otherwise.</summary>
    public StackOutputs? Outputs { get; }

    public static string DefaultStateDir => Path.Combine(RepoPaths.Root, ".local", "state");

    public static Option<string?> StateOption() => new("--state") { Description = "Local state directory (default: .local/state in the repo); `opsctl local --state DIR` uses the same" };

    public static Option<string?> TableOption() => new("--table") { Description = "The deployed pipeline's DynamoDB table (stack output AlertTableName); uses your AWS credentials" };

    /// <summary>The options of every state command: --state, --table, --stack, --region, --profile.</summary>
    public sealed class Options
    {
        public Option<string?> State { get; } = StateOption();

        public Option<string?> Table { get; } = TableOption();

        public StackOptions Stack { get; } = new();

        public void AddTo(Command command)
        {
            command.Options.Add(State);
            command.Options.Add(Table);
            Stack.AddTo(command);
        }

        /// <summary>Whether the command works on a deployed pipeline rather than the local state.</summary>
        public bool Deployed(ParseResult parse) => parse.GetValue(Table) is not null || Stack.Given(parse);
    }

    /// <summary>--table (with --region/--profile), else --stack's table, else the local state directory.</summary>
    public static async Task<StateTarget> OpenAsync(ParseResult parse, Options options, CancellationToken ct)
    {
        if (parse.GetValue(options.Table) is { } table)
        {
            var session = await options.Stack.SessionAsync(parse).ConfigureAwait(false);
            return new StateTarget(session.DynamoDb(), table, null, session, null);
        }

        if (options.Stack.Given(parse))
        {
            var (session, outputs) = await options.Stack.OpenAsync(parse, ct).ConfigureAwait(false);
            return new StateTarget(session.DynamoDb(), outputs.Require(StackOutputs.AlertTableName), null, session, outputs);
        }

        return await OpenLocalAsync(parse.GetValue(options.State), ct).ConfigureAwait(false);
    }

    private static async Task<StateTarget> OpenLocalAsync(string? stateDir, CancellationToken ct)
    {
        var local = await LocalState.OpenAsync(stateDir ?? DefaultStateDir, ct).ConfigureAwait(false);
        return new StateTarget(local.Dynamo, LocalStack.TableName, local, null, null);
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
