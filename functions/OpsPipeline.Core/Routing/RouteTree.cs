using System.Text;
using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Routing;

/// <summary>Where an alert goes: the settings of one matched node of the routing tree, with inheritance resolved.</summary>
/// <param name="Id">Stable path of the node: <c>root</c>, <c>root/0</c>, <c>root/0/2</c> (child positions in file order).</param>
/// <param name="Receiver">The receiver's name in the config.</param>
/// <param name="GroupBy">Labels whose values split alerts into groups (empty: one group per route).</param>
/// <param name="GroupWait">How long the first alert of a new group waits for others to join its notification.</param>
/// <param name="RepeatInterval">How often a still-firing group is notified again.</param>
public sealed record MatchedRoute(string Id, string Receiver, IReadOnlyList<string> GroupBy, TimeSpan GroupWait, TimeSpan RepeatInterval)
{
    /// <summary>How long an already-notified group waits before it sends again: what resolves meanwhile goes out together.</summary>
    public TimeSpan GroupInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time intervals in which this route does not notify: this node's own, never its parent's (as in Alertmanager).</summary>
    public IReadOnlyList<string> MuteTimeIntervals { get; init; } = [];

    /// <summary>Time intervals outside all of which this route does not notify (empty: always active); this node's own.</summary>
    public IReadOnlyList<string> ActiveTimeIntervals { get; init; } = [];
}

/// <summary>The routing tree, matched with Alertmanager's semantics (see <see cref="Match"/>).</summary>
public sealed class RouteTree
{
    private readonly Node _root;
    private readonly Dictionary<string, MatchedRoute> _byId = new(StringComparer.Ordinal);

    /// <summary>Builds the tree; every unset value is inherited from the parent node, the root's from <paramref name="defaults"/>.</summary>
    public RouteTree(RouteConfig root, Defaults defaults)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(defaults);
        if (string.IsNullOrEmpty(root.Receiver))
        {
            throw new ArgumentException("the root route needs a receiver", nameof(root));
        }

        if (root.Match.Items.Count > 0)
        {
            // A root that can fail to match would drop alerts silently; the config loader rejects it too.
            throw new ArgumentException("the root route matches every alert and cannot have matchers", nameof(root));
        }

        var top = new MatchedRoute("root", root.Receiver, root.GroupBy ?? [], root.GroupWait ?? defaults.GroupWait, root.RepeatInterval ?? defaults.RepeatInterval)
        {
            GroupInterval = root.GroupInterval ?? defaults.GroupInterval,
        };
        _root = Build(root, top);
    }

    /// <summary>The root node: the default receiver and the settings every other node inherits.</summary>
    public MatchedRoute Root => _root.Route;

    /// <summary>Every node in depth-first order, e.g. for the Tick to find a group's route again by id.</summary>
    public IEnumerable<MatchedRoute> All => _byId.Values;

    public static RouteTree From(PipelineConfig config) => new(config.Route, config.Defaults);

    /// <summary>
    /// The routes an alert with <paramref name="labels"/> goes to, as Alertmanager's <c>dispatch/route.go</c> does it:
    /// a node whose matchers do not match yields nothing; otherwise its children are tried in order, each contributing
    /// its own result (recursively), and the walk stops after the first child that matched unless that child has
    /// <c>continue: true</c>; only when no child matched at all is the node itself the result. So a <c>continue</c>
    /// child that matched is enough to keep the parent out, even if no later sibling matches. The root always matches,
    /// so the result is never empty.
    /// </summary>
    public IReadOnlyList<MatchedRoute> Match(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var result = new List<MatchedRoute>();
        _root.Match(labels, result);
        return result;
    }

    /// <summary>The route with this id, or null when the config changed and it is gone.</summary>
    public MatchedRoute? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>
    /// Identifies an alert group: the route id plus the alert's values of the route's groupBy labels, sorted by name
    /// (so the order written in groupBy does not matter), e.g. <c>root/0:{service="checkout"}</c>. A groupBy label
    /// the alert lacks is left out, as Alertmanager does.
    /// </summary>
    public static string GroupKey(MatchedRoute route, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(labels);
        var key = new StringBuilder(route.Id).Append(":{");
        var first = true;
        foreach (var name in route.GroupBy.Order(StringComparer.Ordinal))
        {
            if (!labels.TryGetValue(name, out var value))
            {
                continue;
            }

            if (!first)
            {
                key.Append(',');
            }

            first = false;
            key.Append(name).Append("=\"");
            foreach (var ch in value)
            {
                // Escaped so that a value containing '",' cannot forge another group's key.
                if (ch is '"' or '\\')
                {
                    key.Append('\\');
                }

                key.Append(ch);
            }

            key.Append('"');
        }

        return key.Append('}').ToString();
    }

    private Node Build(RouteConfig config, MatchedRoute route)
    {
        _byId.Add(route.Id, route);
        var children = new List<Node>(config.Routes.Count);
        for (var i = 0; i < config.Routes.Count; i++)
        {
            var child = config.Routes[i];
            var childRoute = new MatchedRoute(
                $"{route.Id}/{i}",
                string.IsNullOrEmpty(child.Receiver) ? route.Receiver : child.Receiver,
                child.GroupBy ?? route.GroupBy,
                child.GroupWait ?? route.GroupWait,
                child.RepeatInterval ?? route.RepeatInterval)
            {
                GroupInterval = child.GroupInterval ?? route.GroupInterval,
                // Alertmanager's NewRoute sets these from the child's own config: a parent's time intervals do not carry over.
                MuteTimeIntervals = child.MuteTimeIntervals,
                ActiveTimeIntervals = child.ActiveTimeIntervals,
            };
            children.Add(Build(child, childRoute));
        }

        return new Node(config.Match, config.Continue, route, children);
    }

    private sealed record Node(LabelMatchers Matchers, bool Continue, MatchedRoute Route, IReadOnlyList<Node> Children)
    {
        /// <summary>Appends this subtree's matches; returns whether this node matched at all.</summary>
        public bool Match(IReadOnlyDictionary<string, string> labels, List<MatchedRoute> result)
        {
            if (!Matchers.Matches(labels))
            {
                return false;
            }

            var before = result.Count;
            foreach (var child in Children)
            {
                if (child.Match(labels, result) && !child.Continue)
                {
                    break;
                }
            }

            if (result.Count == before)
            {
                result.Add(Route);
            }

            return true;
        }
    }
}
