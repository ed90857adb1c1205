using System.CommandLine;
using System.Text.Json;
using OpsPipeline.Core.Ports;
using OpsPipeline.Functions.Adapters;

namespace OpsCtl;

/// <summary>`opsctl drill report NAME`: what a recovery drill (an archive replay) did, event by event.</summary>
public static class DrillCommands
{
    public static Command Build()
    {
        var name = new Argument<string>("NAME") { Description = "The replay name (StartReplay's ReplayName, or opsctl local --replay-name)" };
        var json = new Option<bool>("--json") { Description = "The report as one JSON array, for scripts" };
        var targetOptions = new StateTarget.Options();
        var state = targetOptions.State;
        var table = targetOptions.Table;
        var report = new Command("report", "Events replayed, what production would have sent per receiver, and every event that failed.") { name, json, state, table, targetOptions.Stack.Stack, targetOptions.Stack.Region, targetOptions.Stack.Profile };
        report.SetAction(async (parse, ct) =>
        {
            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            var replay = parse.GetValue(name)!;
            var rows = await new DrillReportStore(target.Dynamo, target.Table).ListAsync(replay, ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(rows.ToList(), DrillJsonContext.Default.ListDrillReportRow)).ConfigureAwait(false);
                return rows.Count == 0 ? 1 : 0;
            }

            await output.WriteAsync(Render(replay, rows)).ConfigureAwait(false);
            return rows.Count == 0 ? 1 : 0;
        });
        return new Command("drill", "Recovery drills (replays of archived events).") { report };
    }

    /// <summary>The human report: a summary, production's would-be deliveries per receiver, failures, then one row per event.</summary>
    public static string Render(string replay, IReadOnlyList<DrillReportRow> rows)
    {
        var text = new System.Text.StringBuilder();
        if (rows.Count == 0)
        {
            text.AppendLine($"drill {replay}: no events recorded (wrong name, or the replay has not reached the pipeline yet)");
            return text.ToString();
        }

        var failed = rows.Where(r => r.Decision == "rejected").ToList();
        text.AppendLine($"drill {replay}: {rows.Count} events replayed, {failed.Count} failed");
        var perReceiver = rows.SelectMany(r => r.WouldSend)
            .GroupBy(d => (d.Receiver, d.Channel))
            .OrderBy(g => g.Key.Receiver, StringComparer.Ordinal)
            .Select(g => new[] { g.Key.Receiver, g.Key.Channel, g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(", ", g.GroupBy(d => d.Action).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Count()}")) })
            .ToList();
        text.AppendLine();
        text.AppendLine("production would have sent:");
        text.Append(perReceiver.Count == 0 ? "  nothing\n" : SilenceCommands.Table(["RECEIVER", "CHANNEL", "DELIVERIES", "ACTIONS"], perReceiver));
        if (failed.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("failed events:");
            foreach (var f in failed)
            {
                text.AppendLine($"  {f.EventId}: {f.Reason}");
            }
        }

        text.AppendLine();
        var table = rows.Select(r => new[]
        {
            r.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            r.AlertName ?? "-",
            r.State ?? "-",
            r.Decision,
            r.WouldSend.Count == 0 ? "-" : string.Join(", ", r.WouldSend.Select(d => $"{d.Action}→{d.Receiver}")),
            r.Reason,
        }).ToList();
        text.Append(SilenceCommands.Table(["TIME", "ALERT", "STATE", "DECISION", "PRODUCTION WOULD SEND", "REASON"], table));
        return text.ToString();
    }
}
