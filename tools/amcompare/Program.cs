using System.Globalization;
using AmCompare;
using OpsCtl.Local;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Events;

// amcompare --alertmanager PATH [--seed N] [--compression K] [--out DIR]: the seeded storm through the pipeline
// (`opsctl local --clock event`) and through Alertmanager (wall clock compressed K times), and one table.
// tools/amcompare/run.sh fetches Debian's prometheus-alertmanager and runs this.
string? alertmanager = null;
var seed = 16;
var compression = 60.0;
var outDir = Path.Combine(RepoPaths.Root, ".local", "amcompare", "run");
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--alertmanager": alertmanager = Next(); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--compression": compression = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--out": outDir = Next(); break;
        default:
            Console.Error.WriteLine("usage: amcompare --alertmanager PATH [--seed 16] [--compression 60] [--out DIR]");
            return 2;
    }
}

if (alertmanager is null || !File.Exists(alertmanager))
{
    Console.Error.WriteLine($"amcompare: no Alertmanager binary at '{alertmanager}' (tools/amcompare/run.sh fetches it)");
    return 2;
}

Directory.CreateDirectory(outDir);
var config = OpsCtl.Cli.LoadConfig(Path.Combine(AppContext.BaseDirectory, "pipeline.yaml"))
    ?? throw new InvalidOperationException("tools/amcompare/pipeline.yaml does not load");
var storm = AlarmStorm.Generate(seed);

// The pipeline's side: the CloudWatch events, in arrival order, on the event clock.
var cloudWatch = storm.Select(e => e.CloudWatchJson()).ToList();
await File.WriteAllLinesAsync(Path.Combine(outDir, "storm-cloudwatch.jsonl"), cloudWatch).ConfigureAwait(false);
Console.Error.WriteLine($"amcompare: {storm.Count} events through opsctl local --clock event ...");
var (summary, outbound, _) = await LocalRun.RunAsync(new LocalRunOptions
{
    Config = config,
    Inputs = [.. cloudWatch.Select((json, i) => new EventInput($"storm[{i}]", json))],
    Out = TextWriter.Null,
    Err = TextWriter.Null,
}).ConfigureAwait(false);
// Counted up to the storm's end, as Alertmanager's are.
var pipelineNotifications = outbound.Where(o => o.At <= AlarmStorm.Start + AlarmStorm.Length).Select(o => o.Channel == "pagerduty"
    ? new Notification(o.Receiver, o.At, o.Payload.GetProperty("dedup_key").GetString(), o.Payload.GetProperty("event_action").GetString() == "trigger", o.Action)
    : new Notification(o.Receiver, o.At, Action: o.Action)).ToList();
await File.WriteAllLinesAsync(Path.Combine(outDir, "pipeline-notifications.tsv"), Notification.Tsv(pipelineNotifications)).ConfigureAwait(false);
var pipeline = Tally.Of("pipeline", pipelineNotifications);

// Alertmanager's side: the same transitions with the labels the pipeline gave each alarm (less `state`, which changes
// with every transition and would make each a new alert), replayed to API v2.
var labels = storm.Select(e => e.Alarm).Distinct().ToDictionary(
    a => a,
    a => (IReadOnlyDictionary<string, string>)AlertNormalizer.Normalize(EventParser.Parse(storm.First(e => e.Alarm == a).CloudWatchJson()), config).Labels
        .Where(l => l.Key != "state").ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
    StringComparer.Ordinal);
var posts = storm.Where(e => e.Alarm != AlarmStorm.ClockAlarm).Select(e => new AlertPost(e, labels[e.Alarm])).ToList();
await File.WriteAllLinesAsync(Path.Combine(outDir, "storm-alertmanager.jsonl"), posts.Select(p => p.Body(t => t))).ConfigureAwait(false);
Console.Error.WriteLine($"amcompare: the same storm to Alertmanager, {compression:0.#}x compressed ({AlarmStorm.Length / compression:m\\:ss} wall) ...");
var amNotifications = await new AlertmanagerRun(alertmanager, compression, Path.Combine(outDir, "alertmanager")).RunAsync(posts, CancellationToken.None).ConfigureAwait(false);
await File.WriteAllLinesAsync(Path.Combine(outDir, "alertmanager-notifications.tsv"), Notification.Tsv(amNotifications)).ConfigureAwait(false);
var am = Tally.Of("alertmanager", amNotifications);

var firstCritical = storm.Where(e => e.Firing && labels[e.Alarm].GetValueOrDefault("severity") == "critical").Min(e => e.At);
Console.Write(Report.Table(storm, summary.ExecutionsFailed, pipeline, am, firstCritical));
Console.Error.WriteLine($"amcompare: the storm, both configs and every notification are in {outDir}");
return summary.ExecutionsFailed == 0 ? 0 : 1;
