namespace OpsPipeline.Core.Tests.Architecture;

/// <summary>A cycle of namespaces (first and last the same) and the edges that make it.</summary>
internal sealed record DependencyCycle(IReadOnlyList<string> Path, IReadOnlyList<NamespaceEdge> Edges)
{
    /// <summary><c>Events -> Dlq -> Events</c>, then one line per edge naming its cause.</summary>
    public override string ToString() =>
        string.Join(" -> ", Path) + string.Concat(Edges.Select(e => $"\n  {e.From} -> {e.To}: {e.Cause}"));
}

/// <summary>
/// Finds the cycles of a dependency graph: for each group of namespaces that reach each other, the shortest cycle
/// through each of the group's edges, each cycle once (so every edge that would have to go is on a listed cycle).
/// </summary>
internal static class DependencyCycles
{
    public static IReadOnlyList<DependencyCycle> Find(IReadOnlyList<NamespaceEdge> edges)
    {
        var next = edges.GroupBy(e => e.From, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.To, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var cycles = new Dictionary<string, DependencyCycle>(StringComparer.Ordinal);
        foreach (var group in StronglyConnected(next).Where(g => g.Count > 1))
        {
            foreach (var edge in edges.Where(e => group.Contains(e.From) && group.Contains(e.To)))
            {
                var cycle = Rotated([edge, .. ShortestPath(edge.To, edge.From, group, next)]);
                cycles.TryAdd(string.Join(" -> ", cycle.Path), cycle);
            }
        }

        return [.. cycles.Values.OrderBy(c => c.Path.Count).ThenBy(c => string.Join(" ", c.Path), StringComparer.Ordinal)];
    }

    /// <summary>The cycle told from its alphabetically first namespace, so the same cycle found twice reads the same.</summary>
    private static DependencyCycle Rotated(List<NamespaceEdge> edges)
    {
        var first = edges.Select((e, i) => (e.From, i)).MinBy(x => x.From, StringComparer.Ordinal).i;
        var rotated = edges[first..].Concat(edges[..first]).ToList();
        return new DependencyCycle([rotated[0].From, .. rotated.Select(e => e.To)], rotated);
    }

    /// <summary>Breadth-first inside the group: the fewest edges from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private static List<NamespaceEdge> ShortestPath(string from, string to, HashSet<string> group, Dictionary<string, List<NamespaceEdge>> next)
    {
        var via = new Dictionary<string, NamespaceEdge>(StringComparer.Ordinal);
        var queue = new Queue<string>([from]);
        while (queue.Count > 0 && !via.ContainsKey(to) && from != to)
        {
            foreach (var edge in next.GetValueOrDefault(queue.Dequeue()) ?? [])
            {
                if (group.Contains(edge.To) && edge.To != from && via.TryAdd(edge.To, edge))
                {
                    queue.Enqueue(edge.To);
                }
            }
        }

        var path = new List<NamespaceEdge>();
        for (var at = to; at != from; at = via[at].From)
        {
            path.Insert(0, via[at]);
        }

        return path;
    }

    /// <summary>Tarjan's algorithm: the groups of nodes that all reach each other.</summary>
    private static List<HashSet<string>> StronglyConnected(Dictionary<string, List<NamespaceEdge>> next)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<HashSet<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var to in (next.GetValueOrDefault(node) ?? []).Select(e => e.To))
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (onStack.Contains(to))
                {
                    low[node] = Math.Min(low[node], index[to]);
                }
            }

            if (low[node] == index[node])
            {
                var group = new HashSet<string>(StringComparer.Ordinal);
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != node);
                groups.Add(group);
            }
        }

        foreach (var node in next.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return groups;
    }
}
