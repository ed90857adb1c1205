using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpsCtl.Local;

namespace OpsCtl;

/// <summary>
/// `opsctl cost idle`: what a quiet month costs a team with no alarms at all, counted from a simulated quiet stretch
/// through the local stack (the Scheduler's tick every minute, the real ASL, handlers and dynalite): per tick the
/// executions, state transitions, Lambda invocations and DynamoDB requests and units, priced for the tick's own
/// EXPRESS state machine (the template's design) against running it as STANDARD (the design before). The items billed
/// whatever the traffic (alarms, dashboard, key) are listed beside it from the template.
/// </summary>
public static class IdleCostCommand
{
    /// <summary>Ticks in a 30-day month.</summary>
    public const int TicksPerMonth = 30 * 24 * 60;

    public static Command Build()
    {
        var minutes = new Option<int>("--minutes") { Description = "Quiet minutes to simulate (one tick each); the month is scaled from them", DefaultValueFactory = _ => 240 };
        var parameters = new Option<string[]>("--parameter") { Description = "A template parameter as sam deploy would pass it (Dashboard=false, AlarmTopicKeyArn=arn:...), repeatable: the fixed items are counted with it", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("idle", "What a quiet month costs: ticks with no alarms through the local stack, priced (see docs/benchmarks.md).") { minutes, parameters };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(minutes);
            if (n is < 1 or > 10_080)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"opsctl: cost idle: --minutes must be between 1 and 10080, got {n}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var given = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(parameters) ?? [])
            {
                if (pair.Split('=', 2) is not [{ Length: > 0 } key, var value])
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"opsctl: cost idle: --parameter {pair}: expected Name=Value").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                given[key] = value;
            }

            var config = Cli.LoadConfig(null, parse.InvocationConfiguration.Error)!;
            var measured = await MeasureAsync(config, n, ct, given.Count > 0 ? given : null).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteAsync(Report(measured)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return new Command("cost", "Cost measurements on the local stack.") { command };
    }

    /// <summary>What the quiet ticks did, counted by the local stack.</summary>
    public sealed record Measured(int Ticks, long Transitions, long LambdaInvocations, long DynamoRequests, double ReadUnits, double WriteUnits, double ExecutionMilliseconds, IReadOnlyDictionary<string, int> Fixed, int Deliveries);

    /// <param name="config">The pipeline config the ticks run with.</param>
    /// <param name="minutes">Quiet minutes, one tick each.</param>
    /// <param name="ct">Ends the run.</param>
    /// <param name="templateParameters">The template's parameters (default: samconfig.toml's), which decide the fixed items.</param>
    public static async Task<Measured> MeasureAsync(OpsPipeline.Core.Configuration.PipelineConfig config, int minutes, CancellationToken ct, IReadOnlyDictionary<string, string>? templateParameters = null)
    {
        // A quiet day in the past: nothing has ever fired, no silence, no SLO bad time.
        var start = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        var clock = new ManualClock(start);
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = config, Clock = clock, TemplateParameters = templateParameters }, ct).ConfigureAwait(false);
        stack.DynamoCounter.Reset();
        long transitions = 0;
        var wall = new List<double>();
        for (var i = 1; i <= minutes; i++)
        {
            clock.Now = start.AddMinutes(i);
            var began = Stopwatch.GetTimestamp();
            var outcome = await stack.ExecuteAsync(LocalStack.TickInput(clock.Now), ct).ConfigureAwait(false);
            wall.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            if (outcome.Status != "SUCCEEDED")
            {
                throw new InvalidOperationException($"a quiet tick failed: {outcome.Error}: {outcome.Cause}");
            }

            transitions += outcome.Transitions;
        }

        var fixedItems = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["AWS::CloudWatch::Alarm"] = stack.Template.ResourcesOfType("AWS::CloudWatch::Alarm").Count(),
            ["AWS::CloudWatch::Dashboard"] = stack.Template.ResourcesOfType("AWS::CloudWatch::Dashboard").Count(),
            ["AWS::KMS::Key"] = stack.Template.ResourcesOfType("AWS::KMS::Key").Count(),
        };
        // The steady state: the first ticks pay for JIT and cold clients, which a month of ticks does not.
        var steady = wall.Skip(Math.Min(10, wall.Count - 1)).ToList();
        return new Measured(minutes, transitions, stack.InvocationsByFunction.Values.Sum(), stack.DynamoCounter.Total, stack.DynamoCounter.ReadUnits, stack.DynamoCounter.WriteUnits + stack.DynamoCounter.IndexWriteUnits,
            steady.Average(), fixedItems, stack.Outbound.Count);
    }

    public static string Report(Measured m)
    {
        ArgumentNullException.ThrowIfNull(m);
        double Per(double total) => total / m.Ticks;
        var month = CostModel.IdleMonth(Per(m.Transitions), Per(m.LambdaInvocations), Per(m.ReadUnits), Per(m.WriteUnits), m.ExecutionMilliseconds, TicksPerMonth);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"idle cost: {m.Ticks} quiet minutes through the local stack (the sample config, no alarm ever fired): {m.Deliveries} deliveries");
        text.AppendLine(CultureInfo.InvariantCulture, $"  per tick: 1 execution, {Per(m.Transitions):0.00} transitions, {Per(m.LambdaInvocations):0.00} Lambda invocations, {Per(m.DynamoRequests):0.00} DynamoDB requests ({Per(m.ReadUnits):0.00} read + {Per(m.WriteUnits):0.00} write units), execution {m.ExecutionMilliseconds:0.0} ms here (steady state)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  per 30-day month ({TicksPerMonth:N0} ticks), USD     tick on EXPRESS   tick on STANDARD");
        foreach (var (name, express, standard) in month.Lines)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {name,-36} {express,15:0.000} {standard,18:0.000}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"    {"total billed per use",-36} {month.Express,15:0.000} {month.Standard,18:0.000}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  goal: under $0.50 a month billed per use: {(month.Express < 0.50 ? "met" : "missed")} with the tick on EXPRESS (the template's TickStateMachine)");
        text.AppendLine("  billed whatever the traffic (not per use), from the template:");
        foreach (var line in CostModel.FixedMonth(m.Fixed))
        {
            text.AppendLine("    " + line);
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  prices: {CostModel.PricesAsOf}");
        text.AppendLine($"  assumed (not measured): {CostModel.IdleAssumptions}");
        return text.ToString();
    }
}
