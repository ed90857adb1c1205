using System.CommandLine;
using System.Text.Json.Nodes;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Functions.Adapters;

namespace OpsCtl;

/// <summary>`opsctl alert query`: the alerts in state, what each is doing and why (amtool's `alert query`).</summary>
public static class AlertCommands
{
    public static Command Build()
    {
        var matchers = new Argument<string[]>("matchers") { Description = "Show only alerts whose labels match each (label=value, label!=value, label=~regex, label!~regex)", Arity = ArgumentArity.ZeroOrMore };
        var firing = new Option<bool>("--firing") { Description = "Only alerts in ALARM" };
        var json = new Option<bool>("--json") { Description = "JSON lines, for scripts" };
        var targetOptions = new StateTarget.Options();
        var state = targetOptions.State;
        var table = targetOptions.Table;
        var query = new Command("query", "The alerts in state: state, since, last decision and its reason, who was told it fires, what mutes it.") { matchers, firing, json, state, table, targetOptions.Stack.Stack, targetOptions.Stack.Region, targetOptions.Stack.Profile };
        query.SetAction(async (parse, ct) =>
        {
            var wanted = new List<LabelMatcher>();
            foreach (var text in parse.GetValue(matchers) ?? [])
            {
                try
                {
                    wanted.Add(LabelMatcher.Parse(text));
                }
                catch (FormatException e)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"opsctl alert query: matcher '{text}': {e.Message}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
            }

            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            var alerts = (await new DynamoAlertStateStore(target.Dynamo, target.Table).AllAsync(ct).ConfigureAwait(false))
                .Where(s => s.AlertJson is not null)
                .Select(s => (State: s, Alert: AlertCloudEvent.FromJson(s.AlertJson!)))
                .Where(a => wanted.All(m => m.Matches(a.Alert.Labels)))
                .Where(a => !parse.GetValue(firing) || a.State.LastKnownStatus == AlertStatus.Firing)
                .OrderBy(a => a.Alert.Name, StringComparer.Ordinal).ThenBy(a => a.State.Key, StringComparer.Ordinal)
                .ToList();
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                foreach (var (s, a) in alerts)
                {
                    await output.WriteLineAsync(new JsonObject
                    {
                        ["alertKey"] = s.Key,
                        ["name"] = a.Name,
                        ["state"] = a.State.Wire(),
                        ["since"] = SilenceCommands.Time(s.StateTimestamp),
                        ["lastReason"] = s.LastReason,
                        ["toldFiring"] = new JsonArray([.. s.ToldFiring.Select(r => (JsonNode)r)]),
                        ["mutedBy"] = s.Suppressed?.What,
                        ["flapping"] = s.Flapping,
                        ["labels"] = new JsonObject(a.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
                    }.ToJsonString()).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            }

            var rows = alerts.Select(x => new[]
            {
                x.Alert.Name, x.Alert.State.Wire() + (x.State.Flapping ? " (flapping)" : string.Empty), SilenceCommands.Time(x.State.StateTimestamp),
                x.State.ToldFiring.Count == 0 ? "-" : string.Join(",", x.State.ToldFiring), x.State.Suppressed?.What ?? "-", x.State.LastReason,
            }).ToList();
            await output.WriteAsync(SilenceCommands.Table(["ALERT", "STATE", "SINCE", "TOLD FIRING", "MUTED BY", "LAST DECISION"], rows)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return new Command("alert", "Alerts in the pipeline's state.") { query, ExplainCommand() };
    }

    /// <summary>`opsctl alert explain KEY`: one alert's last decisions, from its state (KEY: its alert key or its name).</summary>
    private static Command ExplainCommand()
    {
        var key = new Argument<string>("KEY") { Description = "The alert's key (as `alert query --json` prints it) or its name (alarm name; a DLQ alert's queue and group)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per decision, oldest first" };
        var targetOptions = new StateTarget.Options();
        var explain = new Command("explain", $"One alert's history of decisions (the last {DecisionHistory.Remembered}): time, event or tick, decision, reason, who was told, what muted it.") { key, json };
        targetOptions.AddTo(explain);
        explain.SetAction(async (parse, ct) =>
        {
            var given = parse.GetValue(key)!;
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            var alerts = (await new DynamoAlertStateStore(target.Dynamo, target.Table).AllAsync(ct).ConfigureAwait(false))
                .Select(s => (State: s, Name: s.AlertJson is { } j ? AlertCloudEvent.FromJson(j).Name : s.Key))
                .ToList();
            var found = alerts.Where(a => a.State.Key == given).ToList() is { Count: > 0 } byKey ? byKey : alerts.Where(a => a.Name == given).ToList();
            if (found.Count == 0)
            {
                var nearest = NearestName.Of(given, alerts.Select(a => a.Name).Concat(alerts.Select(a => a.State.Key)));
                await error.WriteLineAsync($"opsctl alert explain: no alert '{given}' in state" + (nearest is null ? "; opsctl alert query lists them" : $"; did you mean '{nearest}'?")).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (found.Count > 1)
            {
                await error.WriteLineAsync($"opsctl alert explain: {found.Count} alerts are named '{given}' (one per account and region); give one key: {string.Join(", ", found.Select(f => f.State.Key).Order(StringComparer.Ordinal))}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var (s, name) = found[0];
            if (parse.GetValue(json))
            {
                foreach (var r in s.History)
                {
                    await output.WriteLineAsync(new JsonObject
                    {
                        ["alertKey"] = s.Key,
                        ["name"] = name,
                        ["at"] = SilenceCommands.Time(r.At),
                        ["on"] = r.On,
                        ["decision"] = r.Decision,
                        ["reason"] = r.Reason,
                        ["told"] = new JsonArray([.. r.Told.Select(t => (JsonNode)t)]),
                        ["mutedBy"] = r.MutedBy,
                    }.ToJsonString()).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            }

            await output.WriteLineAsync($"{name} ({s.Key})").ConfigureAwait(false);
            await output.WriteLineAsync($"now {s.State.Wire()}{(s.Flapping ? " (flapping)" : string.Empty)} since {SilenceCommands.Time(s.StateTimestamp)}; told firing: {(s.ToldFiring.Count == 0 ? "-" : string.Join(",", s.ToldFiring))}; muted by: {s.Suppressed?.What ?? "-"}").ConfigureAwait(false);
            if (s.History.Count == 0)
            {
                // State written before the history was kept: the last decision is all there is.
                await output.WriteLineAsync($"no decision history kept; last decision: {s.LastReason}").ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var rows = s.History.Select(r => new[]
            {
                SilenceCommands.Time(r.At), r.On, r.Decision, r.Told.Count == 0 ? "-" : string.Join(",", r.Told), r.MutedBy ?? "-", r.Reason,
            }).ToList();
            await output.WriteAsync(SilenceCommands.Table(["TIME", "ON", "DECISION", "TOLD", "MUTED BY", "REASON"], rows)).ConfigureAwait(false);
            if (s.History.Count >= DecisionHistory.Remembered)
            {
                await output.WriteLineAsync($"(the last {DecisionHistory.Remembered} decisions; older ones are not kept)").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return explain;
    }
}
