using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OpsCtl.Local;

/// <summary>
/// `opsctl local --format table`: per input its decision and reason, per tick that did something what it did, under
/// each the deliveries it sent (receiver/channel, action, one line of what the receiver read), then totals that add up.
/// </summary>
public sealed class RunTable
{
    /// <summary>A delivery's one-line summary is cut here: the full body is in `--format json`.</summary>
    public const int SummaryWidth = 100;

    private readonly List<RunStep> steps = [];

    /// <summary>Keeps one step of the run (pass as <see cref="LocalRunOptions.OnStep"/>).</summary>
    public void Add(RunStep step) => steps.Add(step);

    /// <summary>The table and the totals, once the run has ended.</summary>
    public string Render(RunSummary summary)
    {
        var text = new StringBuilder();
        var oneDay = steps.Select(s => s.At.UtcDateTime.Date).Distinct().Count() <= 1;
        if (oneDay && steps.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"times UTC, {steps[0].At.UtcDateTime:yyyy-MM-dd}\n");
        }

        var rows = steps.Select(s => new[]
        {
            s.At.UtcDateTime.ToString(oneDay ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            s.What, s.Decision, Unprefixed(s.Reason, s.Decision),
        }).ToList();
        string[] header = ["TIME", "INPUT", "DECISION", "REASON"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
        text.AppendLine(Line(header));
        for (var i = 0; i < steps.Count; i++)
        {
            text.AppendLine(Line(rows[i]));
            foreach (var d in steps[i].Deliveries)
            {
                text.Append(' ', widths[0] + 2).AppendLine($"→ {d.Receiver}/{d.Channel} {d.Action}{(d.Drill ? " (drill)" : string.Empty)}: {Summary(d)}");
            }
        }

        text.AppendLine();
        text.Append(Totals(summary));
        return text.ToString();
    }

    /// <summary>The totals, each as the sum of its parts: events by decision, deliveries by origin, receiver and action.</summary>
    public static string Totals(RunSummary s)
    {
        var text = new StringBuilder();
        var parts = s.Decisions.Where(d => d.Value > 0).OrderByDescending(d => d.Value).ThenBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Value} {d.Key}")
            .Concat(s.Rejected > 0 ? [$"{s.Rejected} rejected"] : [])
            .Concat(s.ExecutionsFailed - s.TicksFailed > 0 ? [$"{s.ExecutionsFailed - s.TicksFailed} failed"] : [])
            .ToList();
        text.AppendLine($"{s.Received} events{(parts.Count > 0 ? " = " + string.Join(" + ", parts) : string.Empty)}");
        var fromTicks = s.Deliveries - s.DeliveriesFromEvents;
        text.AppendLine($"{s.Deliveries} deliveries = {s.DeliveriesFromEvents} from events + {fromTicks} from ticks"
            + (fromTicks > 0 ? " (group digests, repeats, burn-rate pages and what waited for a group or a retry)" : string.Empty));
        if (s.ByReceiver.Count > 0)
        {
            text.AppendLine("  to:      " + string.Join(", ", s.ByReceiver.Select(r => $"{r.Key} {r.Value}")));
            text.AppendLine("  actions: " + string.Join(", ", s.ByAction.Select(a => $"{a.Key} {a.Value}")));
        }

        if (s.FailedDeliveriesParked > 0)
        {
            text.AppendLine($"{s.FailedDeliveriesParked} failed deliveries parked (opsctl failed list)");
        }

        return text.ToString();
    }

    /// <summary>One line of what the receiver read: Slack's text, PagerDuty's summary (or its action and key), SNS's subject.</summary>
    public static string Summary(OutboundRecord d)
    {
        var p = d.Payload;
        var line = d.Subject
            ?? (p.ValueKind == JsonValueKind.String ? p.GetString() : null)
            ?? Text(p, "text") ?? Text(p, "summary") ?? Text(p, "title")
            ?? (p.ValueKind == JsonValueKind.Object && p.TryGetProperty("payload", out var inner) ? Text(inner, "summary") : null)
            ?? (Text(p, "event_action") is { } action ? $"{action} {Text(p, "dedup_key")}".TrimEnd() : null)
            ?? p.GetRawText();
        line = line.ReplaceLineEndings(" ").Trim();
        return line.Length <= SummaryWidth ? line : line[..(SummaryWidth - 1)] + "…";
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>Decide's reasons start with the decision ("grouped: held for …"); the table has a column for it.</summary>
    private static string Unprefixed(string reason, string decision) =>
        reason.StartsWith(decision + ": ", StringComparison.Ordinal) ? reason[(decision.Length + 2)..] : reason;
}
