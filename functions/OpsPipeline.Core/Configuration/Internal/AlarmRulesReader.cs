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
}
