using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>Reads reactions: what the pipeline starts on its own when an alert fires or resolves, and its guards.</summary>
internal static partial class ReactionsReader
{
    private static readonly string[] ReactionKeys = ["name", "match", "matchers", "on", "action", "input", "cooldown", "maxPerHour", "evenWhenMuted", "outcomeWithin"];
    private static readonly string[] ActionKinds = ["lambda", "stepFunctions", "ssmAutomation", "eventBridge", "sqsRedrive"];

    public static List<ReactionConfig> ReadReactions(ConfigNodes nodes, YamlNode node, string path)
    {
        var reactions = new List<ReactionConfig>();
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (item, field) in nodes.Items(node, path))
        {
            var f = nodes.ReadFields(item, field, ReactionKeys);
            if (f is null)
            {
                continue;
            }

            var name = nodes.Require(f, "name", out var n) ? nodes.ReadString(n, f.Field("name")) ?? string.Empty : string.Empty;
            if (name.Length > 0 && !firstLine.TryAdd(name, n!.Start.Line))
            {
                nodes.Error(n!, f.Field("name"), $"reaction '{name}' is already defined at line {firstLine[name].ToString(CultureInfo.InvariantCulture)}");
            }

            var match = nodes.ReadMatch(f, "match", "matchers", required: true);
            var on = f.TryGet("on", out var o) ? ReadOn(nodes, o, f.Field("on")) : ReactionOn.Firing;
            var action = nodes.Require(f, "action", out var a) ? ReadAction(nodes, a, f.Field("action")) : null;
            string? input = null;
            if (f.TryGet("input", out var i))
            {
                if (action?.Kind is ReactionKind.SsmAutomation or ReactionKind.SqsRedrive)
                {
                    nodes.Error(i, f.Field("input"), action.Kind == ReactionKind.SsmAutomation
                        ? "an ssmAutomation reaction takes its input as action.ssmAutomation.parameters"
                        : "an sqsRedrive reaction takes no input: it moves the messages of action.sqsRedrive.sourceArn");
                }
                else if (i is not YamlMappingNode)
                {
                    nodes.Error(i, f.Field("input"), $"must be a mapping (the JSON object sent), got {ConfigNodes.Describe(i)}");
                }
                else
                {
                    input = ToJson(nodes, i, f.Field("input"))?.ToJsonString();
                }
            }

            var cooldown = f.TryGet("cooldown", out var c) ? nodes.ReadDuration(c, f.Field("cooldown")) ?? TimeSpan.Zero : TimeSpan.FromMinutes(30);
            var maxPerHour = 10;
            if (f.TryGet("maxPerHour", out var m) && nodes.ReadInt(m, f.Field("maxPerHour")) is { } max)
            {
                maxPerHour = max;
                if (max is < 1 or > ReactionConfig.MaxPerHourLimit)
                {
                    nodes.Error(m, f.Field("maxPerHour"), $"must be between 1 and {ReactionConfig.MaxPerHourLimit.ToString(CultureInfo.InvariantCulture)}, got {max.ToString(CultureInfo.InvariantCulture)}");
                }
            }

            var evenWhenMuted = f.TryGet("evenWhenMuted", out var e) && (nodes.ReadBool(e, f.Field("evenWhenMuted")) ?? false);
            var outcomeWithin = ReactionConfig.DefaultOutcomeWithin;
            if (f.TryGet("outcomeWithin", out var ow) && nodes.ReadDuration(ow, f.Field("outcomeWithin")) is { } within)
            {
                outcomeWithin = within;
                if (within < TimeSpan.FromMinutes(1) || within > ReactionConfig.MaxOutcomeWithin)
                {
                    nodes.Error(ow, f.Field("outcomeWithin"), $"must be between 1m and 7d, got {(ow as YamlScalarNode)?.Value}");
                }
            }

            reactions.Add(new ReactionConfig
            {
                Name = name,
                Match = match,
                On = on,
                Action = action ?? new ReactionAction(ReactionKind.Lambda, string.Empty),
                InputTemplate = input,
                Cooldown = cooldown,
                MaxPerHour = maxPerHour,
                EvenWhenMuted = evenWhenMuted,
                OutcomeWithin = outcomeWithin,
            });
        }

        return reactions;
    }

    private static ReactionOn ReadOn(ConfigNodes nodes, YamlNode node, string field) => nodes.ReadString(node, field) switch
    {
        null => ReactionOn.Firing,
        "firing" => ReactionOn.Firing,
        "resolved" => ReactionOn.Resolved,
        var other => Invalid(nodes, node, field, $"must be firing or resolved, got '{other}'"),
    };

    private static ReactionOn Invalid(ConfigNodes nodes, YamlNode node, string field, string message)
    {
        nodes.Error(node, field, message);
        return ReactionOn.Firing;
    }

    private static ReactionAction? ReadAction(ConfigNodes nodes, YamlNode node, string path)
    {
        var f = nodes.ReadFields(node, path, ActionKinds);
        if (f is null)
        {
            return null;
        }

        var present = ActionKinds.Where(f.Has).ToList();
        if (present.Count != 1)
        {
            if (present.Count == 0)
            {
                nodes.Error(f.Map, path, "needs exactly one kind: " + string.Join(", ", ActionKinds));
            }
            else
            {
                f.TryGetKey(present[1], out var second);
                nodes.Error(second, f.Field(present[1]), $"a reaction has exactly one action, this one also has {present[0]}");
            }

            return null;
        }

        var kind = present[0];
        f.TryGet(kind, out var body);
        var field = f.Field(kind);
        return kind switch
        {
            "lambda" => Single(nodes, body, field, "functionArn", ReactionKind.Lambda, LambdaArn(), "a Lambda function ARN (arn:aws:lambda:region:account:function:name)"),
            "stepFunctions" => Single(nodes, body, field, "stateMachineArn", ReactionKind.StepFunctions, StateMachineArn(), "a state machine ARN (arn:aws:states:region:account:stateMachine:name)"),
            "ssmAutomation" => ReadSsm(nodes, body, field),
            "eventBridge" => ReadEventBridge(nodes, body, field),
            _ => ReadRedrive(nodes, body, field),
        };
    }

    private static ReactionAction? Single(ConfigNodes nodes, YamlNode node, string path, string key, ReactionKind kind, Regex shape, string what)
    {
        var f = nodes.ReadFields(node, path, [key]);
        return f is not null && ReadArn(nodes, f, key, shape, what) is { } target ? new ReactionAction(kind, target) : null;
    }

    private static string? ReadArn(ConfigNodes nodes, ConfigNodes.Fields f, string key, Regex shape, string what, bool required = true)
    {
        if (!f.TryGet(key, out var node))
        {
            if (required)
            {
                nodes.Error(f.Map, f.Field(key), "is required");
            }

            return null;
        }

        var text = nodes.ReadString(node, f.Field(key));
        if (text is not null && !shape.IsMatch(text))
        {
            nodes.Error(node, f.Field(key), $"must be {what}, got '{text}'");
            return null;
        }

        return text;
    }

    private static ReactionAction? ReadSsm(ConfigNodes nodes, YamlNode node, string path)
    {
        var f = nodes.ReadFields(node, path, ["documentName", "parameters"]);
        if (f is null)
        {
            return null;
        }

        var document = ReadArn(nodes, f, "documentName", SsmDocument(), "an SSM document name (e.g. AWS-RestartEC2Instance) or document ARN");
        var parameters = f.TryGet("parameters", out var p) ? nodes.ReadLabels(p, f.Field("parameters")) : [];
        if (p is YamlMappingNode map)
        {
            foreach (var (key, value) in map.Children)
            {
                if (key is YamlScalarNode { Value: { Length: > 0 } name })
                {
                    CheckPlaceholders(nodes, value, ConfigNodes.Join(f.Field("parameters"), name));
                }
            }
        }

        return document is null ? null : new ReactionAction(ReactionKind.SsmAutomation, document) { Parameters = parameters };
    }

    private static ReactionAction? ReadEventBridge(ConfigNodes nodes, YamlNode node, string path)
    {
        var f = nodes.ReadFields(node, path, ["eventBusArn", "detailType"]);
        if (f is null)
        {
            return null;
        }

        var bus = ReadArn(nodes, f, "eventBusArn", EventBusArn(), "an event bus ARN (arn:aws:events:region:account:event-bus/name)");
        var detailType = nodes.Require(f, "detailType", out var d) ? nodes.ReadString(d, f.Field("detailType")) : null;
        return bus is null || detailType is null ? null : new ReactionAction(ReactionKind.EventBridge, bus) { DetailType = detailType };
    }

    private static ReactionAction? ReadRedrive(ConfigNodes nodes, YamlNode node, string path)
    {
        var f = nodes.ReadFields(node, path, ["sourceArn", "destinationArn"]);
        if (f is null)
        {
            return null;
        }

        const string Queue = "an SQS queue ARN (arn:aws:sqs:region:account:name)";
        var source = ReadArn(nodes, f, "sourceArn", QueueArn(), Queue);
        var destination = ReadArn(nodes, f, "destinationArn", QueueArn(), Queue, required: false);
        return source is null ? null : new ReactionAction(ReactionKind.SqsRedrive, source) { DestinationArn = destination };
    }

    /// <summary>The input mapping as JSON: plain true/false/null and numbers keep their type, everything else is a string.</summary>
    private static JsonNode? ToJson(ConfigNodes nodes, YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { Length: > 0 } name })
                    {
                        nodes.Error(key, path, "keys must be non-empty strings");
                        continue;
                    }

                    obj[name] = ToJson(nodes, value, ConfigNodes.Join(path, name));
                }

                return obj;
            case YamlSequenceNode list:
                var array = new JsonArray();
                foreach (var (item, field) in nodes.Items(list, path))
                {
                    array.Add(ToJson(nodes, item, field));
                }

                return array;
            default:
                var scalar = (YamlScalarNode)node;
                if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
                {
                    if (ConfigNodes.IsNull(scalar))
                    {
                        return null;
                    }

                    if (scalar.Value is "true" or "false")
                    {
                        return JsonValue.Create(scalar.Value == "true");
                    }

                    if (double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && JsonNumber().IsMatch(scalar.Value!))
                    {
                        return JsonNode.Parse(scalar.Value!);
                    }
                }

                var text = nodes.Substitute(scalar, path) ?? string.Empty;
                CheckPlaceholders(nodes, scalar, path);
                return JsonValue.Create(text);
        }
    }

    private static void CheckPlaceholders(ConfigNodes nodes, YamlNode node, string field)
    {
        if (node is not YamlScalarNode { Value: { } text })
        {
            return;
        }

        foreach (var name in ReactionTemplate.Placeholders(text).Where(p => !ReactionTemplate.IsKnown(p)))
        {
            nodes.Error(node, field, $"unknown placeholder {{{{{name}}}}} (known: {string.Join(", ", ReactionTemplate.AlertFields.Select(a => "{{" + a + "}}"))}, {{{{labels.NAME}}}})");
        }
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    [GeneratedRegex(@"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$", RegexOptions.CultureInvariant)]
    private static partial Regex LambdaArn();

    [GeneratedRegex(@"^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$", RegexOptions.CultureInvariant)]
    private static partial Regex StateMachineArn();

    [GeneratedRegex(@"^([A-Za-z0-9_.-]{3,128}|arn:aws[a-z-]*:ssm:[a-z0-9-]*:[0-9]{0,12}:(automation-definition|document)/[A-Za-z0-9_.-]{3,128}(:[$A-Za-z0-9]+)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex SsmDocument();

    [GeneratedRegex(@"^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]{1,256}$", RegexOptions.CultureInvariant)]
    private static partial Regex EventBusArn();

    [GeneratedRegex(@"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueArn();
}
