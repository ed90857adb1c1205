using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Routing;
using OpsPipeline.Functions.Adapters;

namespace OpsCtl;

/// <summary>
/// `opsctl routes test|show`: where alerts with given labels would go (receivers, route path, group key) and what
/// would mute them now or at --at, as amtool's `config routes test` does; and the routing tree itself.
/// </summary>
public static partial class RoutesCommands
{
    public static Command Build(TimeProvider clock)
    {
        var command = new Command("routes", "See the routing: where labels would go and what would mute them.");
        command.Subcommands.Add(Test(clock));
        command.Subcommands.Add(Show());
        return command;
    }

    private static Option<string?> ConfigOption() => new("--config") { Description = "Pipeline config YAML (default: the repo's sample)" };

    private static Option<bool> JsonOption() => new("--json") { Description = "One JSON object, for scripts" };

    private static Command Test(TimeProvider clock)
    {
        var config = ConfigOption();
        var at = new Option<string?>("--at") { Description = "Evaluate silences at this time (ISO-8601, e.g. 2026-03-02T09:00:00Z); default now" };
        var json = JsonOption();
        var targetOptions = new StateTarget.Options();
        var state = targetOptions.State;
        var table = targetOptions.Table;
        var labels = new Argument<string[]>("LABEL=VALUE") { Description = "The alert's labels, exactly as routing sees them (config alarm rules are not applied)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("test", "Print the receivers, route path, group key and mute state that these labels would get.") { config, at, json, state, table, targetOptions.Stack.Stack, targetOptions.Stack.Region, targetOptions.Stack.Profile, labels };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var errors = new List<string>();
            var parsed = ParseLabels(parse.GetValue(labels) ?? [], errors);
            var now = clock.GetUtcNow();
            if (parse.GetValue(at) is { } text)
            {
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
                {
                    now = t;
                }
                else
                {
                    errors.Add($"--at: '{text}' is not an ISO-8601 time like 2026-03-02T09:00:00Z");
                }
            }

            if (errors.Count > 0)
            {
                foreach (var message in errors)
                {
                    await error.WriteLineAsync("opsctl routes test: " + message).ConfigureAwait(false);
                }

                return 2;
            }

            var pipelineConfig = Cli.LoadConfig(parse.GetValue(config), error);
            if (pipelineConfig is null)
            {
                return 2;
            }

            var tree = RouteTree.From(pipelineConfig);
            var routes = tree.Match(parsed);
            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            var silences = await new DynamoSilenceStore(target.Dynamo, target.Table).ListAsync(ct).ConfigureAwait(false);
            var sources = await new DynamoAlertStateStore(target.Dynamo, target.Table).SourcesAsync(ct).ConfigureAwait(false);
            var muted = MuteState(new AlertPipeline(pipelineConfig, tree), Probe(parsed, sources, now), new DecisionContext(silences, sources), now);
            var result = new RouteTest(parsed, now, [.. routes.Select(r => new RouteHit(r, Path(r.Id), RouteTree.GroupKey(r, parsed)))], muted);
            await parse.InvocationConfiguration.Output.WriteAsync(parse.GetValue(json) ? TestJson(result) + Environment.NewLine : TestText(result)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var config = ConfigOption();
        var json = JsonOption();
        var command = new Command("show", "Print the routing tree (each node's matchers and resolved settings) and the inhibit rules.") { config, json };
        command.SetAction(async parse =>
        {
            var pipelineConfig = Cli.LoadConfig(parse.GetValue(config), parse.InvocationConfiguration.Error);
            if (pipelineConfig is null)
            {
                return 2;
            }

            var tree = RouteTree.From(pipelineConfig);
            var output = parse.InvocationConfiguration.Output;
            await output.WriteAsync(parse.GetValue(json) ? ShowJson(pipelineConfig, tree) + Environment.NewLine : ShowText(pipelineConfig, tree)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>What labels get: every matched route with its path and group key, and what mutes the alert (null: nothing).</summary>
    internal sealed record RouteTest(IReadOnlyDictionary<string, string> Labels, DateTimeOffset At, IReadOnlyList<RouteHit> Routes, Suppression? Muted);

    internal sealed record RouteHit(MatchedRoute Route, IReadOnlyList<string> Path, string GroupKey);

    /// <summary>
    /// The mute state is whatever the pipeline's own muting stage says, so every muter it has (silences and inhibition
    /// today; time intervals and CloudWatch mute rules when they join the stage) shows here with no change to this command.
    /// </summary>
    internal static Suppression? MuteState(AlertPipeline pipeline, Alert alert, DecisionContext context, DateTimeOffset now) => pipeline.Muting.Mutes(alert, context, now);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex LabelName();

    private static SortedDictionary<string, string> ParseLabels(IEnumerable<string> values, List<string> errors)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? value : value[..eq];
            if (eq <= 0 || !LabelName().IsMatch(name))
            {
                errors.Add($"'{value}' is not label=value (a label name is letters, digits and _)");
            }
            else if (!labels.TryAdd(name, value[(eq + 1)..]))
            {
                errors.Add($"'{value}': label {name} is given twice");
            }
        }

        return labels;
    }

    /// <summary>
    /// The alert the muting stage is asked about. Its key is that of the firing source with the same alarmName, if any,
    /// because an alert never inhibits itself: testing the capability's own labels must not show it inhibited by itself.
    /// </summary>
    private static Alert Probe(IReadOnlyDictionary<string, string> labels, IReadOnlyList<InhibitionSource> sources, DateTimeOffset now)
    {
        var name = labels.GetValueOrDefault("alarmName") ?? "routes-test";
        return new Alert
        {
            Key = sources.FirstOrDefault(s => s.Name == name)?.AlertKey ?? "opsctl-routes-test",
            Source = AlertSource.CloudWatch,
            Status = AlertStatus.Firing,
            State = AlarmState.Alarm,
            StateTimestamp = now,
            EventId = "opsctl-routes-test",
            EventTime = now,
            Name = name,
            Account = labels.GetValueOrDefault("account") ?? string.Empty,
            Region = labels.GetValueOrDefault("region") ?? string.Empty,
            Labels = labels,
            Summary = name,
        };
    }

    /// <summary>root/0/2 → [root, root/0, root/0/2].</summary>
    private static List<string> Path(string id)
    {
        var parts = id.Split('/');
        return [.. parts.Select((_, i) => string.Join('/', parts[..(i + 1)]))];
    }

    /// <summary>The config node with this route id (the tree resolves settings; the config keeps each node's matchers).</summary>
    private static RouteConfig Node(RouteConfig root, string id) =>
        id.Split('/').Skip(1).Aggregate(root, (node, index) => node.Routes[int.Parse(index, CultureInfo.InvariantCulture)]);

    private static string Labels(IReadOnlyDictionary<string, string> labels) => "{" + string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}")) + "}";

    private static string Settings(MatchedRoute r) =>
        $"receiver={r.Receiver} groupBy=[{string.Join(",", r.GroupBy)}] groupWait={ConfigDuration.Format(r.GroupWait)} repeatInterval={ConfigDuration.Format(r.RepeatInterval)}";

    private static string Mute(Suppression? muted) => muted?.What ?? "not muted";

    private static string TestText(RouteTest t)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"labels: {Labels(t.Labels)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"at: {SilenceCommands.Time(t.At)}");
        var rows = t.Routes.Select(h => new[] { h.Route.Receiver, string.Join(" > ", h.Path), h.GroupKey, ConfigDuration.Format(h.Route.GroupWait), ConfigDuration.Format(h.Route.RepeatInterval) }).ToList();
        text.Append(SilenceCommands.Table(["RECEIVER", "ROUTE PATH", "GROUP KEY", "GROUP WAIT", "REPEAT"], rows));
        text.AppendLine(CultureInfo.InvariantCulture, $"mute: {Mute(t.Muted)}");
        return text.ToString();
    }

    private static string ShowText(PipelineConfig config, RouteTree tree)
    {
        var text = new StringBuilder();
        foreach (var route in tree.All)
        {
            var node = Node(config.Route, route.Id);
            var depth = route.Id.Count(c => c == '/');
            text.Append(' ', depth * 2).Append(route.Id);
            if (node.Match.Items.Count > 0)
            {
                text.Append(' ').Append(node.Match);
            }

            text.Append("  ").Append(Settings(route)).AppendLine(node.Continue ? " continue" : string.Empty);
        }

        foreach (var rule in config.Inhibit)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"inhibit: {rule.SourceMatch} mutes {rule.TargetMatch} when equal [{string.Join(",", rule.Equal)}]");
        }

        return text.ToString();
    }

    private static string TestJson(RouteTest t) => WriteJson(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("labels");
        WriteMap(w, t.Labels);
        w.WriteString("at", SilenceCommands.Time(t.At));
        w.WriteStartArray("routes");
        foreach (var hit in t.Routes)
        {
            w.WriteStartObject();
            w.WriteString("id", hit.Route.Id);
            w.WriteString("receiver", hit.Route.Receiver);
            w.WriteStartArray("path");
            hit.Path.ToList().ForEach(w.WriteStringValue);
            w.WriteEndArray();
            w.WriteString("groupKey", hit.GroupKey);
            WriteSettings(w, hit.Route);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (t.Muted is { } m)
        {
            w.WriteStartObject("muted");
            w.WriteString("kind", m.Kind.ToString().ToLowerInvariant());
            w.WriteString("id", m.Id);
            w.WriteString("until", SilenceCommands.Time(m.Until));
            w.WriteString("reason", m.What);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("muted");
        }

        w.WriteEndObject();
    });

    private static string ShowJson(PipelineConfig config, RouteTree tree) => WriteJson(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("route");
        WriteNode(w, config.Route, tree, "root");
        w.WriteStartArray("inhibit");
        foreach (var rule in config.Inhibit)
        {
            w.WriteStartObject();
            w.WriteString("sourceMatch", rule.SourceMatch.ToString());
            w.WriteString("targetMatch", rule.TargetMatch.ToString());
            w.WriteStartArray("equal");
            rule.Equal.ToList().ForEach(w.WriteStringValue);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteNode(Utf8JsonWriter w, RouteConfig node, RouteTree tree, string id)
    {
        var route = tree.Find(id)!;
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WritePropertyName("match");
        // One entry per label, as the match: map writes it (= plain, =~ as "~re"); != and !~ as "!v" and "!~re", and two
        // matchers on one label joined by a space.
        WriteMap(w, node.Match.Items.GroupBy(m => m.Label, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join(" ", g.Select(m => m.Pattern ?? (m.Operator == MatchOperator.NotEqual ? "!" : "!~") + m.Value)), StringComparer.Ordinal));
        w.WriteString("receiver", route.Receiver);
        WriteSettings(w, route);
        w.WriteBoolean("continue", node.Continue);
        w.WriteStartArray("routes");
        for (var i = 0; i < node.Routes.Count; i++)
        {
            WriteNode(w, node.Routes[i], tree, $"{id}/{i}");
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSettings(Utf8JsonWriter w, MatchedRoute route)
    {
        w.WriteStartArray("groupBy");
        route.GroupBy.ToList().ForEach(w.WriteStringValue);
        w.WriteEndArray();
        w.WriteString("groupWait", ConfigDuration.Format(route.GroupWait));
        w.WriteString("repeatInterval", ConfigDuration.Format(route.RepeatInterval));
    }

    private static void WriteMap(Utf8JsonWriter w, IEnumerable<KeyValuePair<string, string>> map)
    {
        w.WriteStartObject();
        foreach (var (k, v) in map)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }

    private static string WriteJson(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping: group keys carry quotes, and a person reads this JSON too.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(w);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
