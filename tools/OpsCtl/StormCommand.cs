using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpsCtl.Local;

namespace OpsCtl;

/// <summary>
/// `opsctl storm`: an alarm storm through the local stack (the real ASL, handlers and dynalite), measured from the
/// stack itself: events/s, execution latency percentiles, and per event the DynamoDB requests, Lambda invocations
/// and state transitions.
/// </summary>
public static class StormCommand
{
    public static Command Build()
    {
        var alarms = new Option<int>("--alarms") { Description = "Distinct alarms", DefaultValueFactory = _ => 200 };
        var transitions = new Option<int>("--transitions") { Description = "ALARM/OK transitions per alarm", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed for the duplicates and reordering", DefaultValueFactory = _ => 42 };
        var progress = new Option<bool>("--progress") { Description = "Report progress on stderr (default: only when stderr is a terminal)" };
        var command = new Command("storm", "Measure an alarm storm on the local stack (benchmark; see docs/benchmarks.md).") { alarms, transitions, seed, progress };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var config = Cli.LoadConfig(null, parse.InvocationConfiguration.Error)! with { Slos = [] };
            var events = Generate(parse.GetValue(alarms), parse.GetValue(transitions), parse.GetValue(seed));
            var clock = Stopwatch.StartNew();
            var stderr = parse.InvocationConfiguration.Error;
            await using var progressLine = parse.GetValue(progress) || Cli.IsTerminal(stderr) ? new RunProgress(stderr, redraw: Cli.IsTerminal(stderr)) : null;
            RunSummary summary;
            IReadOnlyList<OutboundRecord> outbound;
            try
            {
                (summary, outbound, _) = await LocalRun.RunAsync(new LocalRunOptions
                {
                    Config = config, Inputs = events, Out = TextWriter.Null, Err = TextWriter.Null, OnProgress = progressLine is null ? null : progressLine.Report,
                }, ct).ConfigureAwait(false);
            }
            finally
            {
                progressLine?.Clear();
            }

            clock.Stop();
            static double Percentile(IReadOnlyList<double> values, double q)
            {
                var sorted = values.Order().ToList();
                return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))];
            }

            double P(double q) => Percentile(summary.ExecutionMilliseconds, q);
            double D(double q) => Percentile(summary.DecideMilliseconds, q);
            var n = (double)summary.Received;
            var withDelivery = outbound.Count;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
                alarm storm: {summary.Received} events ({parse.GetValue(alarms)} alarms x {parse.GetValue(transitions)} transitions, duplicates and reordering mixed in)
                decisions: {string.Join(", ", summary.Decisions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value}"))}; deliveries {withDelivery}; failed {summary.ExecutionsFailed}
                wall time: {clock.Elapsed.TotalSeconds:0.0} s ({n / clock.Elapsed.TotalSeconds:0.0} events/s, sequential, ticks included)
                decision latency (Decide, event in -> decision written): p50 {D(0.50):0.0} ms, p99 {D(0.99):0.0} ms
                execution latency (event in -> deliveries done): p50 {P(0.50):0.0} ms, p99 {P(0.99):0.0} ms
                per event: {summary.DynamoRequests / n:0.00} DynamoDB requests, {summary.LambdaInvocations / n:0.00} Lambda invocations, {summary.StateTransitions / n:0.00} state transitions (ticks: {summary.Ticks})
                """)).ConfigureAwait(false);
            var byInvocation = summary.DynamoByInvocation.OrderBy(k => k.Key, StringComparer.Ordinal)
                .Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {(double)k.Value.Requests / k.Value.Invocations:0.00} ({k.Value.Invocations}x)"));
            await output.WriteLineAsync("DynamoDB requests per invocation: " + string.Join(", ", byInvocation)).ConfigureAwait(false);
            var units = summary.DynamoUnits;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"DynamoDB capacity per event: {units.Read / n:0.00} read units, {units.Write / n:0.00} write units on the table, {units.IndexWrite / n:0.00} on the due index")).ConfigureAwait(false);
            await output.WriteAsync(CostModel.Table(
                summary.DynamoRequests / n,
                units.Read / n,
                (units.Write + units.IndexWrite) / n,
                summary.LambdaInvocations / n,
                summary.InvocationsByFunction.GetValueOrDefault("ops-deliver") / n,
                summary.StateTransitions / n)).ConfigureAwait(false);
            return summary.ExecutionsFailed == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>Each alarm goes ALARM, OK, ALARM, … a minute apart; 10% of events are sent twice and neighbours swap 10% of the time.</summary>
    public static List<EventInput> Generate(int alarms, int transitions, int seed)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var events = new List<(DateTimeOffset At, string Json)>();
        for (var a = 0; a < alarms; a++)
        {
            for (var t = 0; t < transitions; t++)
            {
                var at = start.AddMinutes(t * 7).AddSeconds(a % 60);
                var json = Event($"storm-alarm-{a:D4}", t % 2 == 0 ? "ALARM" : "OK", t % 2 == 0 ? "OK" : "ALARM", at);
                events.Add((at, json));
                if (random.NextDouble() < 0.1)
                {
                    events.Add((at, json)); // EventBridge delivers at least once
                }
            }
        }

        var ordered = events.OrderBy(e => e.At).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (random.NextDouble() < 0.1)
            {
                (ordered[i - 1], ordered[i]) = (ordered[i], ordered[i - 1]); // and in no guaranteed order
            }
        }

        return [.. ordered.Select((e, i) => new EventInput($"storm[{i}]", e.Json))];
    }

    /// <summary>One CloudWatch "Alarm State Change" event; <paramref name="id"/> fixes the EventBridge id (a duplicate repeats it), else a new one.</summary>
    public static string Event(string alarm, string state, string previous, DateTimeOffset at, string? id = null) => new JsonObject
    {
        ["version"] = "0",
        ["id"] = id ?? Guid.NewGuid().ToString(),
        ["detail-type"] = "CloudWatch Alarm State Change",
        ["source"] = "aws.cloudwatch",
        ["account"] = "123456789012",
        ["time"] = at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["region"] = "us-east-1",
        ["resources"] = new JsonArray($"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{alarm}"),
        ["detail"] = new JsonObject
        {
            ["alarmName"] = alarm,
            ["state"] = new JsonObject { ["value"] = state, ["reason"] = "Threshold Crossed", ["timestamp"] = at.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000" },
            ["previousState"] = new JsonObject { ["value"] = previous, ["reason"] = "-", ["timestamp"] = at.AddMinutes(-7).ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000" },
            ["configuration"] = new JsonObject { ["metrics"] = new JsonArray() },
        },
    }.ToJsonString();
}
