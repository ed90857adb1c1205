using System.Text;
using System.Text.Json;

namespace OpsPipeline.Functions.Observability;

/// <summary>One metric value with its dimensions, as the handlers emit it.</summary>
public sealed record MetricPoint(string Name, double Value, string Unit, IReadOnlyList<KeyValuePair<string, string>> Dimensions);

/// <summary>
/// CloudWatch Embedded Metric Format: one JSON log line per metric point, which CloudWatch Logs turns into a
/// metric with no API call (namespace ServerlessOpsPipeline; names match template.yaml's dashboard and alarms).
/// Metrics over free-text logs: the event itself is logged once, its outcome is counted.
/// </summary>
public sealed class EmfMetrics(TextWriter output, TimeProvider clock) : OpsPipeline.Core.Ports.IMetrics
{
    public const string Namespace = "ServerlessOpsPipeline";

    private readonly object _gate = new();
    private readonly List<MetricPoint> _recent = [];

    /// <summary>A metrics sink that writes nothing (and remembers the points, for tests and local summaries).</summary>
    public static EmfMetrics Silent(TimeProvider clock) => new(TextWriter.Null, clock);

    /// <summary>The points emitted so far (bounded), newest last.</summary>
    public IReadOnlyList<MetricPoint> Recent
    {
        get
        {
            lock (_gate)
            {
                return [.. _recent];
            }
        }
    }

    public void Count(string name, params (string Name, string Value)[] dimensions) => Emit(name, 1, "Count", dimensions);

    public void Emit(string name, double value, string unit, params (string Name, string Value)[] dimensions)
    {
        var point = new MetricPoint(name, value, unit, [.. dimensions.Select(d => new KeyValuePair<string, string>(d.Name, d.Value))]);
        var line = Format(point, clock.GetUtcNow());
        lock (_gate)
        {
            _recent.Add(point);
            if (_recent.Count > 10_000)
            {
                _recent.RemoveRange(0, 5_000);
            }

            output.WriteLine(line);
        }
    }

    public static string Format(MetricPoint point, DateTimeOffset at)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WritePropertyName("_aws");
            w.WriteStartObject();
            w.WriteNumber("Timestamp", at.ToUnixTimeMilliseconds());
            w.WritePropertyName("CloudWatchMetrics");
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("Namespace", Namespace);
            w.WritePropertyName("Dimensions");
            w.WriteStartArray();
            w.WriteStartArray();
            foreach (var d in point.Dimensions)
            {
                w.WriteStringValue(d.Key);
            }

            w.WriteEndArray();
            w.WriteEndArray();
            w.WritePropertyName("Metrics");
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("Name", point.Name);
            w.WriteString("Unit", point.Unit);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            foreach (var d in point.Dimensions)
            {
                w.WriteString(d.Key, d.Value);
            }

            w.WriteNumber(point.Name, point.Value);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
