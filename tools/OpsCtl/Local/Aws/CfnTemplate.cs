using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpsCtl.Local.Aws;

/// <summary>A value of the template the local stack cannot evaluate: an error, never a guess.</summary>
public sealed class CfnEvaluationException(string message) : Exception(message);

/// <summary>
/// The SAM-expanded template (plain CloudFormation JSON, tools/local/template.expanded.json) with its intrinsic
/// functions evaluated as CloudFormation would in the local account (<see cref="LocalAccount"/>): Ref, Fn::GetAtt,
/// Fn::Sub, Fn::Join, Fn::Select, Fn::If and the condition functions. Anything else is a
/// <see cref="CfnEvaluationException"/>.
/// </summary>
public sealed partial class CfnTemplate
{
    private readonly JsonObject _resources;
    private readonly JsonObject _conditions;
    private readonly Dictionary<string, JsonNode?> _parameters = new(StringComparer.Ordinal);

    public CfnTemplate(JsonObject template, IReadOnlyDictionary<string, string>? parameters = null)
    {
        _resources = template["Resources"] as JsonObject ?? throw new CfnEvaluationException("the template has no Resources");
        _conditions = template["Conditions"] as JsonObject ?? [];
        foreach (var (name, declaration) in template["Parameters"] as JsonObject ?? [])
        {
            var type = (string?)declaration?["Type"] ?? "String";
            var value = parameters?.GetValueOrDefault(name) ?? declaration?["Default"]?.ToString();
            _parameters[name] = value is null ? null
                : type == "CommaDelimitedList" ? new JsonArray([.. value.Split(',').Select(v => (JsonNode)JsonValue.Create(v.Trim()))])
                : JsonValue.Create(value);
        }
    }

    public static CfnTemplate Load(string path, IReadOnlyDictionary<string, string>? parameters = null) =>
        new(JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new CfnEvaluationException($"{path}: not a JSON object"), parameters);

    /// <summary>The logical ids and resources of one type, whose Condition (if any) holds.</summary>
    public IEnumerable<(string LogicalId, JsonObject Resource)> ResourcesOfType(string type)
    {
        foreach (var (id, node) in _resources)
        {
            if (node is JsonObject resource && (string?)resource["Type"] == type && ((string?)resource["Condition"] is not { } c || Condition(c)))
            {
                yield return (id, resource);
            }
        }
    }

    public JsonObject? Resource(string logicalId) => _resources[logicalId] as JsonObject;

    public string TypeOf(string logicalId) => (string?)Resource(logicalId)?["Type"] ?? throw new CfnEvaluationException($"no resource named {logicalId}");

    /// <summary>Evaluates a condition of the Conditions section.</summary>
    public bool Condition(string name) =>
        _conditions[name] is { } c ? Truth(c, $"Conditions.{name}") : throw new CfnEvaluationException($"no condition named {name}");

    /// <summary>A node with every intrinsic function replaced by its value (AWS::NoValue removes the key or item).</summary>
    public JsonNode? Evaluate(JsonNode? node, string where)
    {
        switch (node)
        {
            case JsonObject o when o.Count == 1 && Intrinsic(o.First().Key):
                var (fn, arg) = o.First();
                return Apply(fn, arg, where);
            case JsonObject o:
                var result = new JsonObject();
                foreach (var (key, value) in o)
                {
                    var v = Evaluate(value, $"{where}.{key}");
                    if (!IsNoValue(v))
                    {
                        result[key] = v;
                    }
                }

                return result;
            case JsonArray a:
                var items = new JsonArray();
                for (var i = 0; i < a.Count; i++)
                {
                    var v = Evaluate(a[i], $"{where}[{i}]");
                    if (!IsNoValue(v))
                    {
                        items.Add(v);
                    }
                }

                return items;
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>A value that must evaluate to one string.</summary>
    public string String(JsonNode? node, string where) =>
        Evaluate(node, where) is JsonValue v && v.TryGetValue<string>(out var s) ? s
        : Evaluate(node, where) is JsonValue n ? n.ToString()
        : throw new CfnEvaluationException($"{where}: expected a string, got {node?.ToJsonString() ?? "null"}");

    /// <summary>A value that may be one string or a list of strings (IAM's Action and Resource).</summary>
    public IReadOnlyList<string> Strings(JsonNode? node, string where) => Evaluate(node, where) switch
    {
        null => [],
        JsonArray a => [.. a.Select((item, i) => item is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new CfnEvaluationException($"{where}[{i}]: expected a string, got {item?.ToJsonString()}"))],
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        var other => throw new CfnEvaluationException($"{where}: expected a string or a list of strings, got {other.ToJsonString()}"),
    };

    private static readonly JsonValue NoValue = JsonValue.Create("\u0000AWS::NoValue")!;

    private static bool IsNoValue(JsonNode? node) => ReferenceEquals(node, NoValue);

    private static bool Intrinsic(string key) => key == "Ref" || key == "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal);

    private JsonNode? Apply(string fn, JsonNode? arg, string where)
    {
        switch (fn)
        {
            case "Ref":
                return Ref((string?)arg ?? throw new CfnEvaluationException($"{where}: Ref needs a name"), where);
            case "Fn::GetAtt":
                var (id, attribute) = arg switch
                {
                    JsonArray { Count: 2 } pair => (String(pair[0], where), String(pair[1], where)),
                    JsonValue v when ((string?)v)?.Split('.', 2) is [var a, var b] => (a, b),
                    _ => throw new CfnEvaluationException($"{where}: cannot read Fn::GetAtt {arg?.ToJsonString()}"),
                };
                return JsonValue.Create(LocalAccount.Attribute(id, TypeOf(id), attribute));
            case "Fn::Sub":
                return JsonValue.Create(Sub(arg, where));
            case "Fn::Join" when arg is JsonArray { Count: 2 } join:
                return JsonValue.Create(string.Join(String(join[0], where), Strings(join[1], where)));
            case "Fn::Select" when arg is JsonArray { Count: 2 } select:
                var list = Strings(select[1], where);
                var index = int.Parse(String(select[0], where), System.Globalization.CultureInfo.InvariantCulture);
                return index >= 0 && index < list.Count ? JsonValue.Create(list[index]) : throw new CfnEvaluationException($"{where}: Fn::Select index {index} out of range");
            case "Fn::If" when arg is JsonArray { Count: 3 } @if:
                return Condition(String(@if[0], where)) ? Evaluate(@if[1], where) : Evaluate(@if[2], where);
            case "Fn::Equals" or "Fn::Not" or "Fn::And" or "Fn::Or" or "Condition":
                return JsonValue.Create(Truth(new JsonObject { [fn] = arg?.DeepClone() }, where));
            default:
                throw new CfnEvaluationException($"{where}: the local stack does not evaluate {fn}");
        }
    }

    private bool Truth(JsonNode node, string where) => node switch
    {
        JsonObject o when o.Count == 1 => o.First() switch
        {
            ("Fn::Equals", JsonArray { Count: 2 } e) => string.Equals(Scalar(Evaluate(e[0], where)), Scalar(Evaluate(e[1], where)), StringComparison.Ordinal),
            ("Fn::Not", JsonArray { Count: 1 } n) => !Truth(n[0]!, where),
            ("Fn::And", JsonArray a) => a.All(c => Truth(c!, where)),
            ("Fn::Or", JsonArray a) => a.Any(c => Truth(c!, where)),
            ("Condition", JsonValue v) => Condition((string)v!),
            var (k, _) => throw new CfnEvaluationException($"{where}: the local stack does not evaluate {k} in a condition"),
        },
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw new CfnEvaluationException($"{where}: not a condition: {node.ToJsonString()}"),
    };

    private static string? Scalar(JsonNode? node) => node is JsonArray a ? string.Join(',', a.Select(i => i?.ToString())) : node?.ToString();

    private JsonNode? Ref(string name, string where)
    {
        switch (name)
        {
            case "AWS::Partition": return LocalAccount.Partition;
            case "AWS::Region": return LocalAccount.Region;
            case "AWS::AccountId": return LocalAccount.AccountId;
            case "AWS::StackName": return LocalAccount.StackName;
            case "AWS::URLSuffix": return "amazonaws.com";
            case "AWS::NoValue": return NoValue;
        }

        if (_parameters.TryGetValue(name, out var parameter))
        {
            return parameter?.DeepClone() ?? throw new CfnEvaluationException($"{where}: parameter {name} has no value");
        }

        return _resources.ContainsKey(name)
            ? JsonValue.Create(LocalAccount.Attribute(name, TypeOf(name), null))
            : throw new CfnEvaluationException($"{where}: Ref {name} names no parameter or resource");
    }

    private string Sub(JsonNode? arg, string where)
    {
        var (text, variables) = arg switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => (s, null),
            JsonArray { Count: 2 } pair => (String(pair[0], where), pair[1] as JsonObject),
            _ => throw new CfnEvaluationException($"{where}: cannot read Fn::Sub {arg?.ToJsonString()}"),
        };
        return SubVariable().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            if (name.StartsWith('!'))
            {
                return "${" + name[1..] + "}"; // ${!Literal}
            }

            if (variables?[name] is { } local)
            {
                return String(local, where);
            }

            var dot = name.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && !name.StartsWith("AWS::", StringComparison.Ordinal)
                ? LocalAccount.Attribute(name[..dot], TypeOf(name[..dot]), name[(dot + 1)..])
                : Scalar(Ref(name, where)) ?? string.Empty;
        });
    }

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex SubVariable();
}
