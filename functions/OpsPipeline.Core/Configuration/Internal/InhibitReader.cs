using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>Reads inhibit: rules by which a firing source alert silences matching targets.</summary>
internal static class InhibitReader
{
    private static readonly string[] InhibitKeys = ["sourceMatch", "sourceMatchers", "targetMatch", "targetMatchers", "equal"];

    public static InhibitRule ReadInhibitRule(ConfigNodes nodes, YamlNode node, string path)
    {
        var f = nodes.ReadFields(node, path, InhibitKeys);
        if (f is null)
        {
            return new InhibitRule(LabelMatchers.Empty, LabelMatchers.Empty, []);
        }

        var source = nodes.ReadMatch(f, "sourceMatch", "sourceMatchers", required: true);
        var target = nodes.ReadMatch(f, "targetMatch", "targetMatchers", required: true);
        var equal = f.TryGet("equal", out var e) ? nodes.ReadStringList(e, f.Field("equal"), allowEmpty: true) ?? [] : [];
        return new InhibitRule(source, target, equal);
    }
}
