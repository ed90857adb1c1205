using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpsCtl.Local;

namespace OpsCtl;

/// <summary>
/// `opsctl latency`: from an alarm event entering the local stack to the receiver's HTTP request, for a trigger whose
/// route has <c>groupWait: 0s</c> (the sample config's critical route to PagerDuty), warm, broken down by stage from
/// marks the local stack sets as it starts the execution, invokes and returns from each function, and receives the
/// request. Each run is a new alarm (a first trigger), one at a time. <c>--build aot</c> runs every function as the
/// deployed bootstrap binary; <c>--cold</c> also stops every binary before each event, so each function the event
/// reaches starts a new process (a cold start per function per event).
/// </summary>
public static class LatencyCommand
{
    /// <summary>The stages, in order: from mark, to mark, what it is.</summary>
    public static readonly IReadOnlyList<(string From, string To, string Name)> Stages =
    [
        ("enter", "ops-decide in", "state machine: start to Decide"),
        ("ops-decide in", "ops-decide out", "Decide (handler: read, decide, commit, render)"),
        ("ops-decide out", "ops-deliver in", "state machine: Decide's result to Deliver (Map, Choice)"),
        ("ops-deliver in", "receiver pagerduty", "Deliver to the receiver's request (secret, HTTP)"),
    ];

    /// <summary>Events left out of the warm figures (the process's first ones).</summary>
    public const int WarmUp = 5;

    /// <summary>How the functions run: in this process (managed handlers, JIT), or as the deployed AOT binary, warm or cold.</summary>
    public enum Mode
    {
        Managed,
        AotWarm,
        AotCold,
    }

    public static Command Build()
    {
        var runs = new Option<int>("--runs") { Description = "Alarm events to measure (each a new alarm's first trigger)", DefaultValueFactory = _ => 200 };
        var build = new Option<string>("--build") { Description = "managed: the handlers in this process; aot: every function as the deployed bootstrap binary (built with make package-aot)", DefaultValueFactory = _ => "managed" };
        build.AcceptOnlyFromAmong("managed", "aot");
        var cold = new Option<bool>("--cold") { Description = "Every function cold at every event: each binary is stopped before the event, so each starts a new process (implies --build aot)" };
        var command = new Command("latency", "Latency from an alarm event to the receiver's request, by stage, on the local stack (see docs/benchmarks.md).") { runs, build, cold };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(runs);
            if (n is < 1 or > 100_000)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"opsctl: latency: --runs must be between 1 and 100000, got {n}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var isCold = parse.GetValue(cold);
            if (isCold && parse.GetResult(build) is { Implicit: false } && parse.GetValue(build) == "managed")
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("opsctl: latency: --cold needs --build aot: the managed handlers run in this process, which cannot start cold per event (opsctl coldstart measures the managed build's cold start)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var mode = isCold ? Mode.AotCold : parse.GetValue(build) == "aot" ? Mode.AotWarm : Mode.Managed;
            var samples = await MeasureAsync(RepoPaths.SampleConfig, n, mode, ct).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteAsync(Report(samples, mode)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One run: milliseconds per stage (in <see cref="Stages"/> order) and in all, from event in to the request.</summary>
    /// <param name="Stages">Milliseconds per stage, in <see cref="Stages"/> order.</param>
    /// <param name="Total">Milliseconds from the event in to the receiver's request.</param>
    /// <param name="ColdStarts">Bootstrap processes the run started (0 with the managed build).</param>
    public sealed record Sample(IReadOnlyList<double> Stages, double Total, int ColdStarts = 0);

    /// <summary>
    /// <paramref name="runs"/> alarm events through the local stack with the config in <paramref name="configFile"/>
    /// (read by the in-process handlers and the binaries alike). The managed build runs on a manual clock, ten seconds
    /// apart per event; the AOT binaries read the wall clock, so their events are stamped with it.
    /// </summary>
    public static async Task<IReadOnlyList<Sample>> MeasureAsync(string configFile, int runs, Mode mode, CancellationToken ct)
    {
        var config = Cli.LoadConfig(configFile) ?? throw new InvalidOperationException($"{configFile}: the config does not load");
        var start = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var clock = new ManualClock(start);
        var options = mode == Mode.Managed
            ? new LocalStackOptions { Config = config, Clock = clock }
            : new LocalStackOptions { Config = config, ConfigFile = configFile, Clock = TimeProvider.System, BootstrapDir = await AotPackage.DirectoryAsync().ConfigureAwait(false) };
        await using var stack = await LocalStack.StartAsync(options, ct).ConfigureAwait(false);
        var samples = new List<Sample>(runs);
        for (var i = 0; i < runs; i++)
        {
            if (mode == Mode.AotCold)
            {
                await stack.RecycleBootstrapsAsync(ct).ConfigureAwait(false);
            }

            var marks = new List<(string Mark, long At)>();
            stack.Mark = (mark, at) =>
            {
                lock (marks)
                {
                    marks.Add((mark, at));
                }
            };
            var processes = stack.BootstrapProcessesStarted;
            clock.Now = start.AddSeconds(i * 10);
            var name = string.Create(CultureInfo.InvariantCulture, $"checkout-latency-{i:D5}");
            var outcome = await stack.ExecuteAsync(AlarmEvent(name, options.Clock.GetUtcNow()), ct).ConfigureAwait(false);
            stack.Mark = null;
            if (outcome.Status != "SUCCEEDED")
            {
                throw new InvalidOperationException($"run {i}: {outcome.Error}: {outcome.Cause}");
            }

            long At(string mark) => marks.FirstOrDefault(m => m.Mark == mark) is { Mark: not null } found ? found.At : throw new InvalidOperationException($"run {i}: no '{mark}' mark (marks: {string.Join(", ", marks.Select(m => m.Mark))})");
            double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
            samples.Add(new Sample([.. Stages.Select(s => Ms(At(s.From), At(s.To)))], Ms(At("enter"), At("receiver pagerduty")), stack.BootstrapProcessesStarted - processes));
        }

        return samples;
    }

    public static string Report(IReadOnlyList<Sample> samples, Mode mode = Mode.Managed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        static double P(IEnumerable<double> values, double q)
        {
            var sorted = values.Order().ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))];
        }

        // The first events of a fresh process pay for JIT compilation and cold clients: reported apart, not as warm.
        // (Cold runs skip them too: there they warm the local stack itself, Node and the Invoke host, not the functions.)
        var first = samples[0];
        samples = samples.Count > WarmUp ? [.. samples.Skip(WarmUp)] : samples;
        var how = mode switch
        {
            Mode.Managed => "warm, the managed handlers in this process",
            Mode.AotWarm => "warm, every function the deployed AOT bootstrap (one process each, kept between events)",
            _ => "every function cold: each AOT bootstrap stopped before each event, so Decide and Deliver each start a new process (start, init, first request) within their stage",
        };
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"latency to the page: {samples.Count} alarm events after {WarmUp} warm-up ones (each a new critical alarm, route groupWait 0s, to PagerDuty), {how}, one at a time, on the local stack");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"stage",-58} {"p50 ms",8} {"p99 ms",8} {"share",6}");
        var totalP50 = P(samples.Select(s => s.Total), 0.5);
        for (var i = 0; i < Stages.Count; i++)
        {
            var p50 = P(samples.Select(s => s.Stages[i]), 0.5);
            text.AppendLine(CultureInfo.InvariantCulture, $"  {Stages[i].Name,-58} {p50,8:0.0} {P(samples.Select(s => s.Stages[i]), 0.99),8:0.0} {p50 / totalP50,6:P0}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  {"event in -> receiver's request",-58} {totalP50,8:0.0} {P(samples.Select(s => s.Total), 0.99),8:0.0}");
        if (mode != Mode.Managed)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  bootstrap processes started per measured event: {samples.Average(s => s.ColdStarts):0.00}");
        }

        var largest = Enumerable.Range(0, Stages.Count).MaxBy(i => P(samples.Select(s => s.Stages[i]), 0.5));
        text.AppendLine(CultureInfo.InvariantCulture, $"  largest contributor at p50: {Stages[largest].Name}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  the first event of the fresh local stack{(mode == Mode.Managed ? " (JIT, cold SDK clients; managed handlers in process)" : string.Empty)}: {first.Total:0.0} ms = {string.Join(" + ", first.Stages.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))}");
        text.AppendLine(mode == Mode.Managed
            ? "  local, not AWS: the state machine is aws-local-stepfunctions on Node (its hops are not Step Functions'), the functions run in this process, DynamoDB is dynalite; a cold run adds each function's cold start (opsctl latency --cold, opsctl coldstart)"
            : "  local, not AWS: the state machine is aws-local-stepfunctions on Node (its hops are not Step Functions'), each function the bootstrap binary behind a local Runtime API on this machine's CPU (not Lambda's share at its MemorySize), DynamoDB is dynalite");
        return text.ToString();
    }

    /// <summary>A CloudWatch alarm going to ALARM, as EventBridge delivers it.</summary>
    private static string AlarmEvent(string name, DateTimeOffset at)
    {
        var time = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var stamp = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff+0000", CultureInfo.InvariantCulture);
        var arn = $"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}";
        return $$$$"""
            {"version":"0","id":"{{{{Guid.NewGuid()}}}}","detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch","account":"123456789012","time":"{{{{time}}}}","region":"us-east-1","resources":["{{{{arn}}}}"],
             "detail":{"alarmName":"{{{{name}}}}","state":{"value":"ALARM","reason":"Threshold Crossed","timestamp":"{{{{stamp}}}}"},"previousState":{"value":"OK","reason":"ok","timestamp":"{{{{stamp}}}}"},
             "configuration":{"description":"latency probe","metrics":[{"id":"m1","metricStat":{"metric":{"namespace":"AWS/ApiGateway","name":"5XXError","dimensions":{"ApiName":"checkout"}},"period":60,"stat":"Sum"},"returnData":true}]}}}
            """;
    }
}
