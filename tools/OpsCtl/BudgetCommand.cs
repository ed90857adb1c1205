using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Silences;
using OpsPipeline.Functions.Adapters;

namespace OpsCtl;

/// <summary>`opsctl budget`: every SLO's objective, budget, consumption, burn rates and a burn-down chart.</summary>
public static class BudgetCommand
{
    /// <summary>Points in the burn-down chart (one per window/30: a day for a 30d SLO).</summary>
    private const int ChartPoints = 30;

    public static Command Build(TimeProvider clock)
    {
        var config = new Option<string?>("--config") { Description = "Pipeline config YAML (default: the repo's sample)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per SLO, for scripts" };
        var at = new Option<string?>("--at") { Description = "Evaluate at this time (ISO-8601) instead of now, e.g. the end of a replayed incident" };
        var targetOptions = new StateTarget.Options();
        var state = targetOptions.State;
        var table = targetOptions.Table;
        var command = new Command("budget", "Error budgets: objective, window, budget minutes, consumed, remaining, burn rates, burn-down.") { config, json, at, state, table, targetOptions.Stack.Stack, targetOptions.Stack.Region, targetOptions.Stack.Profile };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var output = parse.InvocationConfiguration.Output;
            var pipeline = Cli.LoadConfig(parse.GetValue(config), error);
            if (pipeline is null)
            {
                return 2;
            }

            var now = clock.GetUtcNow();
            if (parse.GetValue(at) is { } atText)
            {
                if (!DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out now))
                {
                    await error.WriteLineAsync($"opsctl budget: --at: '{atText}' is not an ISO-8601 time").ConfigureAwait(false);
                    return 2;
                }
            }

            if (pipeline.Slos.Count == 0)
            {
                await output.WriteLineAsync("no SLOs in the config (slos:)").ConfigureAwait(false);
                return 0;
            }

            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            var store = new BudgetStore(target.Dynamo, target.Table);
            var silences = await new DynamoSilenceStore(target.Dynamo, target.Table).ListAsync(ct).ConfigureAwait(false);
            var budgets = new List<(SloConfig Slo, BudgetState Budget)>();
            foreach (var slo in pipeline.Slos)
            {
                budgets.Add((slo, await store.GetAsync(slo.Name, ct).ConfigureAwait(false)));
            }

            // Local state holds recorded events, often months old: "now" would count an alarm left in ALARM as bad
            // time up to today. Without --at, a local state is read at the latest time it records, and says so.
            if (parse.GetValue(at) is null && parse.GetValue(state) is not null)
            {
                var alerts = await new DynamoAlertStateStore(target.Dynamo, target.Table).AllAsync(ct).ConfigureAwait(false);
                if (LastEvent(alerts, budgets.Select(b => b.Budget)) is { } last)
                {
                    now = last;
                    await error.WriteLineAsync($"opsctl budget: evaluated at {last.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z, the latest time this local state records (--at TIME for another)").ConfigureAwait(false);
                }
            }

            foreach (var (slo, budget) in budgets)
            {
                await output.WriteAsync(parse.GetValue(json) ? Json(slo, budget, now, silences) + "\n" : Text(slo, budget, now, silences)).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The newest time a local state knows: an alert's last update (on the events' clock) or an SLO's last transition.</summary>
    public static DateTimeOffset? LastEvent(IEnumerable<OpsPipeline.Core.Decisions.AlertState> alerts, IEnumerable<BudgetState> budgets) =>
        alerts.Select(a => a.UpdatedAt).Concat(budgets.SelectMany(b => b.LastApplied.Values))
            .Where(t => t > DateTimeOffset.MinValue).Select(t => (DateTimeOffset?)t).DefaultIfEmpty().Max();

    public static string Text(SloConfig slo, BudgetState s, DateTimeOffset now, IReadOnlyList<Silence>? silences = null)
    {
        var budget = BudgetLedger.Budget(slo);
        var consumed = BudgetLedger.Consumed(s, slo, now);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{slo.Name}: {slo.Objective}% over {BudgetEvaluator.Span(slo.Window)} (alarms: {string.Join(", ", slo.Alarms)})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  budget     {budget.TotalMinutes:0.0} min");
        text.AppendLine(CultureInfo.InvariantCulture, $"  consumed   {consumed * budget.TotalMinutes:0.0} min ({consumed * 100:0.0}%)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  remaining  {Math.Max(0, 1 - consumed) * budget.TotalMinutes:0.0} min ({(1 - consumed) * 100:0.0}%)");
        foreach (var alert in slo.BurnAlerts)
        {
            var longRate = BudgetLedger.BurnRate(s, slo, alert.Long, now);
            var shortRate = BudgetLedger.BurnRate(s, slo, alert.Short, now);
            var status = Status(slo, s, alert, longRate, shortRate, consumed, silences ?? [], now).Text;
            text.AppendLine(CultureInfo.InvariantCulture, $"  burn {BudgetEvaluator.Span(alert.Long),3}/{BudgetEvaluator.Span(alert.Short),-3} {longRate,8:0.0}x /{shortRate,8:0.0}x   (alert at {alert.BurnRate}x -> {alert.Receiver}) {status}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  burn-down  {Chart(slo, s, now)}  ({BudgetEvaluator.Span(slo.Window / ChartPoints)} per column, oldest left, 100% = full budget)");
        return text.ToString();
    }

    /// <summary>
    /// What a burn alert is doing: FIRING (its page was sent), held by a silence (burning, not told until the
    /// silence ends), burning (the next tick tells it) or ok.
    /// </summary>
    private static (string Text, Silence? HeldBy) Status(SloConfig slo, BudgetState s, BurnAlertConfig alert, double longRate, double shortRate, double consumed, IReadOnlyList<Silence> silences, DateTimeOffset now)
    {
        if (s.Episodes.FirstOrDefault(e => e.Id == BudgetEvaluator.Id(alert)) is { FiringSince: not null } episode)
        {
            return (episode.Folded ? "FIRING, folded into the open incident (its cost is told when it ends)" : "FIRING", null);
        }

        if (longRate < alert.BurnRate || shortRate < alert.BurnRate)
        {
            return ("ok", null);
        }

        var labels = new BudgetNotice(BudgetNotice.BurnFiring, slo, alert, longRate, shortRate, consumed, alert.Receiver).Labels;
        return Silence.FirstMuting(silences, labels, now) is { } silence
            ? ($"HELD by silence {silence.Id} until {silence.EndsAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)}", silence)
            : ("burning (the next tick pages)", null);
    }

    /// <summary>Remaining budget at each of <see cref="ChartPoints"/> points across the window, as block characters.</summary>
    public static string Chart(SloConfig slo, BudgetState s, DateTimeOffset now)
    {
        const string blocks = " ▁▂▃▄▅▆▇█";
        var chart = new StringBuilder();
        for (var i = ChartPoints - 1; i >= 0; i--)
        {
            var at = now - (slo.Window / ChartPoints * i);
            var remaining = Math.Clamp(1 - BudgetLedger.Consumed(s, slo, at), 0, 1);
            chart.Append(blocks[(int)Math.Round(remaining * (blocks.Length - 1))]);
        }

        return chart.ToString();
    }

    private static string Json(SloConfig slo, BudgetState s, DateTimeOffset now, IReadOnlyList<Silence> silences)
    {
        var budget = BudgetLedger.Budget(slo);
        var consumed = BudgetLedger.Consumed(s, slo, now);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("slo", slo.Name);
            w.WriteNumber("objectivePercent", slo.Objective);
            w.WriteString("window", BudgetEvaluator.Span(slo.Window));
            w.WriteNumber("budgetMinutes", Math.Round(budget.TotalMinutes, 3));
            w.WriteNumber("consumedMinutes", Math.Round(consumed * budget.TotalMinutes, 3));
            w.WriteNumber("consumedPercent", Math.Round(consumed * 100, 2));
            w.WriteNumber("remainingPercent", Math.Round((1 - consumed) * 100, 2));
            w.WriteString("evaluatedAt", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteStartArray("burnRates");
            foreach (var alert in slo.BurnAlerts)
            {
                w.WriteStartObject();
                w.WriteString("alert", BudgetEvaluator.Id(alert));
                var longRate = BudgetLedger.BurnRate(s, slo, alert.Long, now);
                var shortRate = BudgetLedger.BurnRate(s, slo, alert.Short, now);
                var (_, heldBy) = Status(slo, s, alert, longRate, shortRate, consumed, silences, now);
                w.WriteNumber("long", Math.Round(longRate, 3));
                w.WriteNumber("short", Math.Round(shortRate, 3));
                w.WriteBoolean("firing", s.Episodes.FirstOrDefault(e => e.Id == BudgetEvaluator.Id(alert))?.FiringSince is not null);
                if (heldBy is not null)
                {
                    w.WriteString("heldBy", heldBy.Id);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
