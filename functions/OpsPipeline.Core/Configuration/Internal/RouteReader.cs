using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>Reads route: the routing tree, depth first.</summary>
internal static class RouteReader
{
    private static readonly string[] RouteKeys = ["receiver", "match", "matchers", "groupBy", "groupWait", "groupInterval", "repeatInterval", "continue", "routes", "muteTimeIntervals", "activeTimeIntervals"];

    public static RouteConfig ReadRoute(ConfigNodes nodes, YamlNode node, string path, bool isRoot)
    {
        var f = nodes.ReadFields(node, path, RouteKeys);
        if (f is null)
        {
            return new RouteConfig();
        }

        string? receiver = null;
        if (f.TryGet("receiver", out var r))
        {
            receiver = nodes.ReadReceiverReference(r, f.Field("receiver"));
        }
        else if (isRoot)
        {
            nodes.Error(f.Map, f.Field("receiver"), "the root route needs a receiver: it gets every alert no child route matches");
        }

        var match = LabelMatchers.Empty;
        if (isRoot)
        {
            foreach (var key in (string[])["match", "matchers"])
            {
                if (f.TryGet(key, out var m))
                {
                    nodes.Error(m, f.Field(key), $"the root route matches every alert and cannot have {key}");
                }
            }
        }
        else
        {
            match = nodes.ReadMatch(f, "match", "matchers", required: false);
        }

        var groupBy = f.TryGet("groupBy", out var g) ? nodes.ReadStringList(g, f.Field("groupBy"), allowEmpty: true) : null;
        var groupWait = f.TryGet("groupWait", out var gw) ? nodes.ReadDuration(gw, f.Field("groupWait")) : null;
        var groupInterval = f.TryGet("groupInterval", out var gi) ? nodes.ReadDuration(gi, f.Field("groupInterval"), positive: true) : null;
        var repeat = f.TryGet("repeatInterval", out var ri) ? nodes.ReadDuration(ri, f.Field("repeatInterval"), positive: true) : null;
        var cont = f.TryGet("continue", out var c) && (nodes.ReadBool(c, f.Field("continue")) ?? false);
        if (isRoot && cont)
        {
            nodes.Error(c!, f.Field("continue"), "the root route has no siblings, so it cannot have continue: true");
        }

        var mute = ReadIntervals(nodes, f, "muteTimeIntervals", isRoot);
        var active = ReadIntervals(nodes, f, "activeTimeIntervals", isRoot);
        var routes = f.TryGet("routes", out var rs) ? nodes.ReadList(rs, f.Field("routes"), (n, p) => ReadRoute(nodes, n, p, isRoot: false)) : [];
        return new RouteConfig
        {
            Receiver = receiver,
            Match = match,
            GroupBy = groupBy,
            GroupWait = groupWait,
            GroupInterval = groupInterval,
            RepeatInterval = repeat,
            Continue = cont,
            MuteTimeIntervals = mute,
            ActiveTimeIntervals = active,
            Routes = routes,
        };
    }

    /// <summary>Time interval names of a child route; the root gets every alert and, as in Alertmanager, cannot be muted by time.</summary>
    private static List<string> ReadIntervals(ConfigNodes nodes, ConfigNodes.Fields f, string key, bool isRoot)
    {
        if (!f.TryGet(key, out var node))
        {
            return [];
        }

        if (isRoot)
        {
            nodes.Error(node, f.Field(key), $"the root route cannot have {key} (as in Alertmanager); set them on a child route");
            return [];
        }

        return nodes.ReadIntervalReferences(node, f.Field(key));
    }
}
