using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Dlq;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Routing;
using OpsPipeline.Core.Notifiers;

BenchmarkSwitcher.FromAssembly(typeof(HotPath).Assembly).Run(args, DefaultConfig.Instance
    .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithId("short"))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator));

/// <summary>
/// Parse + normalize + route + render of one alarm event per alarm kind (the Decide hot path without I/O), DLQ
/// enrichment, and the floor: a plain JsonDocument parse of the same bytes.
/// </summary>
[MemoryDiagnoser]
public class HotPath
{
    private byte[] _event = [];
    private PipelineConfig _config = null!;
    private RouteTree _routes = null!;
    private SqsRecord _record = null!;

    // The sample records were sent on 2026-03-10; a fixed "now" after them keeps the benchmark on the readable path.
    private static readonly DateTimeOffset SampleNow = new(2026, 3, 10, 10, 0, 0, TimeSpan.Zero);

    [Params("cloudwatch-alarm-single-metric.json", "cloudwatch-alarm-metric-math.json", "cloudwatch-alarm-anomaly-detection.json", "cloudwatch-alarm-composite.json", "cloudwatch-alarm-contributor.json")]
    public string Sample { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        (_event, _config, _routes) = Inputs(Sample);
        _record = DlqEnricher.ParseRecords(File.ReadAllBytes(Path.Combine(Root(), "events", "sqs-lambda-async-dlq.json")))[0];
    }

    [Benchmark(Baseline = true, Description = "JsonDocument.Parse (floor)")]
    public int JsonDocumentFloor()
    {
        using var doc = JsonDocument.Parse(_event);
        return doc.RootElement.GetPropertyCount();
    }

    [Benchmark(Description = "parse+normalize+route+render")]
    public Delivery DecidePath()
    {
        var alert = AlertNormalizer.Normalize(EventParser.Parse(_event), _config);
        var route = _routes.Match(alert.Labels)[0];
        return DeliveryRenderer.Render(alert, DeliveryActions.Trigger, _config.FindReceiver(route.Receiver)!, drill: false);
    }

    [Benchmark(Description = "DLQ enrichment (one record)")]
    public DlqArrival DlqEnrich() => DlqEnricher.Enrich(_record, SampleNow).Arrival;

    /// <summary>
    /// The sample event as Decide receives it, the sample config and its route tree. The files in events/ are
    /// indented for people; EventBridge and Step Functions hand the function compact JSON (no whitespace between
    /// tokens), so the event is compacted here, its content unchanged (checked: both forms parse to the same event).
    /// </summary>
    internal static (byte[] Event, PipelineConfig Config, RouteTree Routes) Inputs(string sample)
    {
        var root = Root();
        var config = ConfigLoader.LoadFile(Path.Combine(root, "functions", "OpsPipeline.Functions", "ops-pipeline.yaml"),
            new Dictionary<string, string> { ["OpsEmailTopicArn"] = "arn:aws:sns:us-east-1:123456789012:ops-email" });
        var indented = File.ReadAllBytes(Path.Combine(root, "events", sample));
        var compact = Compact(indented);
        if (Describe(EventParser.Parse(compact), config) != Describe(EventParser.Parse(indented), config))
        {
            throw new InvalidOperationException($"{sample}: the compact form does not parse to the same alert");
        }

        return (compact, config, RouteTree.From(config));
    }

    /// <summary>The same JSON without whitespace between tokens; strings keep their characters ('+' is not escaped, as AWS does not).</summary>
    private static byte[] Compact(byte[] json)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(json.Length);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        using (var document = JsonDocument.Parse(json))
        {
            document.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Describe(ParsedEvent parsed, PipelineConfig config) =>
        AlertCloudEvent.ToJsonString(AlertNormalizer.Normalize(parsed, config));

    internal static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessOpsPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run from inside the repository");
    }
}

/// <summary>
/// The hot path stage by stage, for two alarm kinds (a plain metric alarm and a composite): where the time and
/// the bytes of parse+normalize+route+render go, and the alert CloudEvent Decide writes for each applied event.
/// </summary>
[MemoryDiagnoser]
public class Stages
{
    private byte[] _event = [];
    private PipelineConfig _config = null!;
    private RouteTree _routes = null!;
    private ParsedEvent _parsed = null!;
    private Alert _alert = null!;
    private ReceiverConfig _receiver = null!;

    [Params("cloudwatch-alarm-single-metric.json", "cloudwatch-alarm-composite.json")]
    public string Sample { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        (_event, _config, _routes) = HotPath.Inputs(Sample);
        _parsed = EventParser.Parse(_event);
        _alert = AlertNormalizer.Normalize(_parsed, _config);
        _receiver = _config.FindReceiver(_routes.Match(_alert.Labels)[0].Receiver)!;
    }

    [Benchmark(Description = "1 parse")]
    public ParsedEvent Parse() => EventParser.Parse(_event);

    [Benchmark(Description = "2 normalize")]
    public Alert Normalize() => AlertNormalizer.Normalize(_parsed, _config);

    [Benchmark(Description = "3 route")]
    public IReadOnlyList<MatchedRoute> Route() => _routes.Match(_alert.Labels);

    [Benchmark(Description = "4 render")]
    public Delivery Render() => DeliveryRenderer.Render(_alert, DeliveryActions.Trigger, _receiver, drill: false);

    [Benchmark(Description = "5 alert CloudEvent")]
    public string CloudEvent() => AlertCloudEvent.ToJsonString(_alert);
}
