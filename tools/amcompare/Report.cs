using System.Globalization;
using System.Text;

namespace AmCompare;

/// <summary>The comparison as printed and pasted into docs/benchmarks.md.</summary>
public static class Report
{
    public static string Table(IReadOnlyList<StormEvent> storm, int failed, Tally pipeline, Tally alertmanager, DateTimeOffset firstCritical)
    {
        var text = new StringBuilder();
        var duplicates = storm.Count - storm.Select(e => e.EventId).Distinct().Count();
        var late = storm.Count(e => e.Arrival > e.At && storm.Count(d => d.EventId == e.EventId) == 1);
        text.AppendLine(CultureInfo.InvariantCulture, $"storm: {storm.Select(e => e.Alarm).Distinct().Count() - 1} alarms, {storm.Count} events ({duplicates} duplicates, {late} late), {AlarmStorm.Start:yyyy-MM-ddTHH:mm}Z + {AlarmStorm.Length.TotalHours:0}h; pipeline executions failed: {failed}");
        var receivers = pipeline.PerReceiver.Keys.Union(alertmanager.PerReceiver.Keys).Order(StringComparer.Ordinal).ToList();
        var rows = new List<string[]>();
        rows.AddRange(receivers.Select(r => new[] { $"notifications to {r}", Count(pipeline.PerReceiver, r), Count(alertmanager.PerReceiver, r) }));
        rows.Add(["notifications, total", pipeline.Total.ToString(CultureInfo.InvariantCulture), alertmanager.Total.ToString(CultureInfo.InvariantCulture)]);
        rows.Add(["PagerDuty incidents", pipeline.Incidents.ToString(CultureInfo.InvariantCulture), alertmanager.Incidents.ToString(CultureInfo.InvariantCulture)]);
        rows.Add([$"first page after the first critical alarm ({firstCritical:HH:mm:ss})", Since(pipeline.FirstPage, firstCritical), Since(alertmanager.FirstPage, firstCritical)]);
        var header = new[] { string.Empty, "pipeline", "alertmanager" };
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendLine(string.Join("  ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
        }

        return text.ToString();
    }

    private static string Count(IReadOnlyDictionary<string, int> counts, string receiver) => counts.GetValueOrDefault(receiver).ToString(CultureInfo.InvariantCulture);

    private static string Since(DateTimeOffset? page, DateTimeOffset from) =>
        page is { } p ? string.Create(CultureInfo.InvariantCulture, $"{(p - from).TotalSeconds:0.0} s") : "no page";
}
