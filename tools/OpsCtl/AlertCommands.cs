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
        return new Command("alert", "Alerts in the pipeline's state.") { query };
    }
}
