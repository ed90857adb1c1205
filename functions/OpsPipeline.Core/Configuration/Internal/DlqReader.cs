using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>Reads dlq: how dead-lettered messages are grouped and whom they go to.</summary>
internal static class DlqReader
{
    private static readonly string[] DlqKeys = ["groupBy", "receiver"];

    public static DlqConfig? ReadDlq(ConfigNodes nodes, YamlNode node, string path)
    {
        var f = nodes.ReadFields(node, path, DlqKeys);
        if (f is null)
        {
            return null;
        }

        // The queue is what an operator acts on, so it is the group when nothing else is said.
        var groupBy = f.TryGet("groupBy", out var g) ? nodes.ReadStringList(g, f.Field("groupBy"), allowEmpty: true) ?? [] : ["queue"];
        var receiver = nodes.Require(f, "receiver", out var r) ? nodes.ReadReceiverReference(r, f.Field("receiver")) ?? string.Empty : string.Empty;
        return new DlqConfig(groupBy, receiver);
    }
}
