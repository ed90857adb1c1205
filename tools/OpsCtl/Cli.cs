using System.CommandLine;
using OpsCtl.Local;
using OpsPipeline.Core.Configuration;

namespace OpsCtl;

/// <summary>The opsctl command tree.</summary>
public static class Cli
{
    /// <summary>--debug: a failure's stack trace, for a bug report; without it a user sees one line.</summary>
    public static Option<bool> Debug { get; } = new("--debug") { Description = "On failure, print the stack trace too", Recursive = true };

    /// <summary>Parses and runs one command line: usage errors are one line and exit 2, failures one line and exit 1 or 2.</summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? invocation = null, CancellationToken ct = default)
    {
        invocation ??= new InvocationConfiguration();
        invocation.EnableDefaultExceptionHandler = false;
        var parse = Build().Parse(args);
        var where = UsageErrors.CommandPath(parse.CommandResult);
        if (parse.Action is not System.CommandLine.Help.HelpAction && UsageErrors.Of(parse, args) is { } usage)
        {
            await invocation.Error.WriteLineAsync(usage).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(invocation, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var (exit, line) = CommandFailure.Describe(e, where);
            await invocation.Error.WriteLineAsync(line).ConfigureAwait(false);
            if (parse.GetValue(Debug))
            {
                await invocation.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return exit;
        }
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("opsctl: operate ServerlessOpsPipeline — local runs, config checks.");
        root.Options.Add(Debug);
        root.Subcommands.Add(LocalCommand());
        root.Subcommands.Add(ConfigCommand());
        root.Subcommands.Add(SilenceCommands.Build(TimeProvider.System));
        root.Subcommands.Add(RoutesCommands.Build(TimeProvider.System));
        root.Subcommands.Add(DrillCommands.Build());
        root.Subcommands.Add(BudgetCommand.Build(TimeProvider.System));
        root.Subcommands.Add(AlertCommands.Build());
        root.Subcommands.Add(DlqCommands.Build());
        root.Subcommands.Add(FailedCommands.Build());
        root.Subcommands.Add(NotifyCommands.Build());
        root.Subcommands.Add(StormCommand.Build());
        root.Subcommands.Add(IdleCostCommand.Build());
        root.Subcommands.Add(LatencyCommand.Build());
        root.Subcommands.Add(ColdStartCommand.Build());
        return root;
    }

    private static Option<string?> ConfigOption() => new("--config") { Description = "Pipeline config YAML (default: the repo's sample, functions/OpsPipeline.Functions/ops-pipeline.yaml)" };

    private static Command LocalCommand()
    {
        var config = ConfigOption();
        var clock = new Option<string>("--clock") { Description = "event: now = each event's time (deterministic); wall: the real clock", DefaultValueFactory = _ => "event" };
        UsageErrors.AcceptOnly(clock, "event", "wall");
        var replayName = new Option<string?>("--replay-name") { Description = "Run the events as a recovery drill with this replay name" };
        var output = new Option<string?>("--out") { Description = "Write the delivery JSON lines to this file (stdout then shows the table if --format is table)" };
        var format = new Option<string>("--format") { Description = "table: each event's decision and reason, each delivery in one line, totals; json: one JSON line per delivery. Default: table when stdout is a terminal, else json" };
        UsageErrors.AcceptOnly(format, "table", "json");
        var progress = new Option<bool>("--progress") { Description = "Report progress on stderr (default: only when stderr is a terminal)" };
        var explain = new Option<bool>("--explain") { Description = "Print each event's decision and reason to stderr" };
        var state = new Option<string?>("--state") { Description = "Keep the local state (alerts, silences, drill reports) in this directory across runs; default: in memory, fresh each run" };
        var paths = new Argument<string[]>("PATH") { Description = "JSON file (one event or an array), .jsonl file, or folder; default: events/", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("local", "Run the pipeline on the embedded local stack (dynalite, the real ASL on aws-local-stepfunctions, local receivers) and print each decision and delivery: a table on a terminal, one JSON line per delivery otherwise (--format).")
        {
            config, clock, replayName, output, format, progress, explain, state, paths,
        };
        command.SetAction(async (parse, ct) =>
        {
            var pipelineConfig = LoadConfig(parse.GetValue(config), parse.InvocationConfiguration.Error);
            if (pipelineConfig is null)
            {
                return ExitCodes.Usage;
            }

            var outFile = parse.GetValue(output);
            if (outFile is not null && Path.GetDirectoryName(Path.GetFullPath(outFile)) is { } outFolder && !Directory.Exists(outFolder))
            {
                // Checked before the run, not found after it: a run of many events is not lost to a typo in --out.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"opsctl local: --out {outFile}: no such folder {outFolder}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var inputPaths = parse.GetValue(paths) is { Length: > 0 } given ? given : [RepoPaths.Events];
            IReadOnlyList<EventInput> inputs;
            try
            {
                inputs = EventInputs.Read(inputPaths);
            }
            catch (FileNotFoundException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("opsctl local: " + MissingPath(e)).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (parse.GetValue(replayName) is { } name)
            {
                inputs = [.. inputs.Select(i => i with { Json = ReplayMarker.Mark(i.Json, name) })];
            }

            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;

            // The terminal only picks the default: redirected or piped, stdout keeps the JSON lines scripts read.
            var asTable = parse.GetResult(format) is null ? IsTerminal(stdout) : parse.GetValue(format) == "table";
            var table = asTable ? new RunTable() : null;
            var progressOn = parse.GetValue(progress) || IsTerminal(stderr);
            await using var progressLine = progressOn ? new RunProgress(stderr, redraw: IsTerminal(stderr)) : null;
            if (progressLine is not null)
            {
                stderr = progressLine;
            }

            await using var writer = outFile is null ? null : new StreamWriter(outFile);
            RunSummary summary;
            try
            {
                (summary, _, _) = await LocalRun.RunAsync(new LocalRunOptions
                {
                    Config = pipelineConfig,
                    Inputs = inputs,
                    Clock = parse.GetValue(clock) == "wall" ? ClockMode.Wall : ClockMode.Event,
                    Explain = parse.GetValue(explain),
                    Out = (TextWriter?)writer ?? stdout,
                    PrintDeliveries = writer is not null || table is null,
                    OnStep = table is null ? null : table.Add,
                    OnProgress = progressLine is null ? null : progressLine.Report,
                    Err = stderr,
                    StateDir = parse.GetValue(state),
                    ReplayName = parse.GetValue(replayName),
                }, ct).ConfigureAwait(false);
            }
            finally
            {
                progressLine?.Clear();
            }

            if (table is not null)
            {
                await stdout.WriteAsync(table.Render(summary)).ConfigureAwait(false);
            }

            if (parse.GetValue(replayName) is { } drill)
            {
                await stderr.WriteAsync(DrillCommands.Render(drill, summary.DrillReport)).ConfigureAwait(false);
            }

            await stderr.WriteLineAsync(SummaryLine(summary)).ConfigureAwait(false);
            return ExitCode(summary);
        });
        return command;
    }

    /// <summary>Whether this writer is the process's own console output or error, not redirected: a person reads it.</summary>
    public static bool IsTerminal(TextWriter writer) =>
        (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);

    /// <summary>A local run's exit code: a failure outranks a rejection, which a completed run still reports.</summary>
    public static int ExitCode(RunSummary summary) =>
        summary.ExecutionsFailed > 0 || summary.AccessDenials.Count > 0 ? ExitCodes.RunFailed
        : summary.Rejected > 0 ? ExitCodes.InputRejected
        : ExitCodes.Ok;

    /// <summary>"no such file or folder: X; did you mean 'Y'?" for a PATH that does not exist.</summary>
    public static string MissingPath(FileNotFoundException e) =>
        e.Message + (e.FileName is { } path && NearestName.OfPath(path) is { } nearest ? $"; did you mean '{nearest}'?" : string.Empty);

    private static Command ConfigCommand()
    {
        var config = ConfigOption();
        var samconfig = new Option<string?>("--samconfig") { Description = "The samconfig.toml whose parameter_overrides grant the reactions' targets (default: the repository's)." };
        var validate = new Command("validate", "Check a pipeline config file; errors name the line and the field.") { config, samconfig };
        validate.SetAction(parse =>
        {
            var loaded = LoadConfig(parse.GetValue(config), parse.InvocationConfiguration.Error);
            if (loaded is null)
            {
                return 2;
            }

            // The config's reactions against what the deployment grants: they cannot drift apart unnoticed.
            var ungranted = ReactionGrants.Ungranted(loaded, SamConfig.ParameterOverrides(parse.GetValue(samconfig) ?? RepoPaths.SamConfig));
            foreach (var line in ungranted)
            {
                parse.InvocationConfiguration.Error.WriteLine(line);
            }

            if (ungranted.Count > 0)
            {
                return 2;
            }

            parse.InvocationConfiguration.Output.WriteLine($"ok: {loaded.Receivers.Count} receivers, {loaded.Slos.Count} SLOs, {loaded.Reactions.Count} reactions");
            return 0;
        });
        return new Command("config", "Pipeline configuration.") { validate };
    }

    /// <summary>Loads the config or prints its line-numbered errors; ${Name} substitutions come from the environment.</summary>
    public static PipelineConfig? LoadConfig(string? path, TextWriter? error = null)
    {
        path ??= RepoPaths.SampleConfig;
        var substitutions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // The sample config's SNS receiver: a stand-in ARN locally, overridable from the environment.
            ["OpsEmailTopicArn"] = "arn:aws:sns:us-east-1:000000000000:ops-email",
        };
        foreach (var (k, v) in OpsPipeline.Functions.FunctionSettings.FromEnvironment().Substitutions)
        {
            substitutions[k] = v;
        }

        try
        {
            return ConfigLoader.LoadFile(path, substitutions);
        }
        catch (ConfigException e)
        {
            (error ?? Console.Error).WriteLine(e.Message);
            return null;
        }
        catch (IOException e)
        {
            (error ?? Console.Error).WriteLine($"opsctl: cannot read config {path}: {e.Message}");
            return null;
        }
    }

    private const string AccessDeniedNote = "AccessDeniedException: a role in template.yaml lacks a permission the pipeline uses; see stderr";

    public static string SummaryLine(RunSummary s)
    {
        var decisions = string.Join(", ", s.Decisions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value}"));
        return $"opsctl local: {s.Received} events ({decisions}{(decisions.Length > 0 ? ", " : string.Empty)}rejected {s.Rejected}, failed {s.ExecutionsFailed}); "
            + $"{s.Deliveries} deliveries, {s.FailedDeliveriesParked} failed deliveries parked; "
            + $"{s.DynamoRequests} DynamoDB requests, {s.LambdaInvocations} Lambda invocations, {s.StateTransitions} state transitions"
            + (s.AccessDenials.Count > 0 ? $"; {s.AccessDenials.Count} calls refused by IAM ({AccessDeniedNote})" : string.Empty);
    }
}
