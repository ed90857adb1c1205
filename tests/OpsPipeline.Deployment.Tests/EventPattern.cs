using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// The subset of EventBridge content filtering our rules use, evaluated as EventBridge does: every field in the
/// pattern must match; a field's array matches if any element matches; an element is an exact value or a filter
/// object (prefix, anything-but with a value, list or prefix, exists, numeric). No package for this is served here.
/// </summary>
public static class EventPattern
{
    /// <summary><paramref name="substitutions"/> resolves !Sub strings in the pattern (e.g. AWS::StackName).</summary>
    public static bool Matches(YamlMappingNode pattern, JsonElement e, IReadOnlyDictionary<string, string> substitutions)
    {
        foreach (var (keyNode, valueNode) in pattern.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            var field = default(JsonElement);
            var present = e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out field);
            switch (valueNode)
            {
                case YamlMappingNode nested:
                    if (!present || !Matches(nested, field, substitutions))
                    {
                        return false;
                    }

                    break;
                case YamlSequenceNode alternatives:
                    if (!alternatives.Children.Any(a => MatchesOne(a, present ? field : (JsonElement?)null, substitutions)))
                    {
                        return false;
                    }

                    break;
                default:
                    throw new NotSupportedException($"pattern field {key}: a value must be an array or an object");
            }
        }

        return true;
    }

    private static bool MatchesOne(YamlNode filter, JsonElement? value, IReadOnlyDictionary<string, string> substitutions)
    {
        if (filter is YamlScalarNode exact)
        {
            return value is { } v && Values(v).Any(x => x == Resolve(exact, substitutions));
        }

        var (name, operand) = ((YamlMappingNode)filter).Children.Single();
        return ((YamlScalarNode)name).Value switch
        {
            "exists" => (((YamlScalarNode)operand).Value == "true") == value.HasValue,
            "prefix" => value is { } v && Values(v).Any(x => x.StartsWith(Resolve((YamlScalarNode)operand, substitutions), StringComparison.Ordinal)),
            "anything-but" => value is { } v && Values(v).All(x => !AnythingButHits(operand, x, substitutions)),
            "numeric" => value is { ValueKind: JsonValueKind.Number } n && Numeric((YamlSequenceNode)operand, n.GetDouble()),
            var other => throw new NotSupportedException($"filter '{other}' is not implemented in the test evaluator"),
        };
    }

    private static bool AnythingButHits(YamlNode operand, string value, IReadOnlyDictionary<string, string> substitutions) => operand switch
    {
        YamlScalarNode s => value == Resolve(s, substitutions),
        YamlSequenceNode list => list.Children.Any(c => value == Resolve((YamlScalarNode)c, substitutions)),
        YamlMappingNode m when m.Children.Single().Key.ToString() == "prefix" => value.StartsWith(Resolve((YamlScalarNode)m.Children.Single().Value, substitutions), StringComparison.Ordinal),
        _ => throw new NotSupportedException("anything-but operand"),
    };

    private static bool Numeric(YamlSequenceNode ops, double x)
    {
        for (var i = 0; i + 1 < ops.Children.Count; i += 2)
        {
            var bound = double.Parse(ops.Children[i + 1].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            var ok = ops.Children[i].ToString() switch
            {
                "=" => x == bound,
                ">" => x > bound,
                ">=" => x >= bound,
                "<" => x < bound,
                "<=" => x <= bound,
                var op => throw new NotSupportedException(op),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A JSON field's comparable values: a scalar, or each element of an array (EventBridge matches any).</summary>
    private static IEnumerable<string> Values(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Array => v.EnumerateArray().SelectMany(Values),
        JsonValueKind.String => [v.GetString()!],
        JsonValueKind.Object => [],
        _ => [v.GetRawText()],
    };

    private static string Resolve(YamlScalarNode node, IReadOnlyDictionary<string, string> substitutions)
    {
        var text = node.Value ?? string.Empty;
        foreach (var (name, value) in substitutions)
        {
            text = text.Replace("${" + name + "}", value, StringComparison.Ordinal);
        }

        return text;
    }
}
