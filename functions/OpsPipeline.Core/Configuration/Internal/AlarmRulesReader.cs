using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>Reads alarms: the label rules applied to every matching alarm.</summary>
internal static class AlarmRulesReader
{
    private static readonly string[] AlarmRuleKeys = ["match", "labels"];

    public static AlarmLabelRule ReadAlarmRule(ConfigNodes nodes, YamlNode node, string path)
    {
        var f = nodes.ReadFields(node, path, AlarmRuleKeys);
        if (f is null)
        {
            return new AlarmLabelRule(LabelMatchers.Empty, new Dictionary<string, string>());
        }

        var match = nodes.Require(f, "match", out var m) ? nodes.ReadMatchers(m, f.Field("match")) : LabelMatchers.Empty;
        var labels = nodes.Require(f, "labels", out var l) ? nodes.ReadLabels(l, f.Field("labels")) : new Dictionary<string, string>();
        return new AlarmLabelRule(match, labels);
    }

    /// <summary>The labels an alarm's built-ins set: a tag never overrides one, so listing one in alarmTags is a mistake.</summary>
    private static readonly string[] BuiltIns = ["account", "alarmName", "contributor", "metric", "namespace", "region", "source", "state"];

    /// <summary>Reads alarmTags: the tag keys that may become labels.</summary>
    public static List<string> ReadAlarmTags(ConfigNodes nodes, YamlNode node, string path)
    {
        var tags = nodes.ReadStringList(node, path, allowEmpty: true) ?? [];
        if (node is YamlSequenceNode sequence)
        {
            for (var i = 0; i < sequence.Children.Count && i < tags.Count; i++)
            {
                var item = sequence.Children[i];
                if (item is YamlScalarNode { Value: { } key } && (BuiltIns.Contains(key, StringComparer.Ordinal) || key.StartsWith("aws:", StringComparison.Ordinal)))
                {
                    nodes.Error(item, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", $"'{key}' is {(key.StartsWith("aws:", StringComparison.Ordinal) ? "a reserved aws: tag" : "a built-in label")}; a tag never sets it");
                }
            }
        }

        return tags;
    }
}
