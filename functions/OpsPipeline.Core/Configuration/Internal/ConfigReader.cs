using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>
/// Walks the YAML representation model into a <see cref="PipelineConfig"/>, collecting every error instead of stopping
/// at the first; invalid parts get placeholder values so the walk can go on (the caller throws when any error exists).
/// Each top-level key has its own reader; receiver references are checked once every receiver is known.
/// </summary>
internal sealed class ConfigReader(IReadOnlyDictionary<string, string>? substitutions)
{
    private static readonly string[] TopKeys = ["defaults", "alarms", "alarmTags", "receivers", "route", "inhibit", "drillReceiver", "slos", "dlq", "timeIntervals", "reactions"];

    private readonly ConfigNodes _nodes = new(substitutions);

    public IReadOnlyList<ConfigError> Errors => _nodes.Errors;

    public static string Join(string path, string key) => ConfigNodes.Join(path, key);

    public PipelineConfig Read(YamlNode? root)
    {
        var n = _nodes;
        if (root is null || ConfigNodes.IsNull(root))
        {
            n.Error(1, 1, "config", "the file is empty; it needs at least receivers and route");
            return Placeholder();
        }

        var top = n.ReadFields(root, string.Empty, TopKeys);
        if (top is null)
        {
            return Placeholder();
        }

        var defaults = top.TryGet("defaults", out var d) ? DefaultsReader.ReadDefaults(n, d, "defaults") : new Defaults();
        var alarms = top.TryGet("alarms", out var a) ? n.ReadList(a, "alarms", (x, p) => AlarmRulesReader.ReadAlarmRule(n, x, p)) : [];
        var alarmTags = top.TryGet("alarmTags", out var at) ? AlarmRulesReader.ReadAlarmTags(n, at, "alarmTags") : [];
        var receivers = n.Require(top, "receivers", out var r) ? ReceiversReader.ReadReceivers(n, r, "receivers") : [];
        var route = n.Require(top, "route", out var rt) ? RouteReader.ReadRoute(n, rt, "route", isRoot: true) : new RouteConfig();
        var inhibit = top.TryGet("inhibit", out var i) ? n.ReadList(i, "inhibit", (x, p) => InhibitReader.ReadInhibitRule(n, x, p)) : [];
        var drillReceiver = top.TryGet("drillReceiver", out var dr) ? n.ReadReceiverReference(dr, "drillReceiver") : null;
        var slos = top.TryGet("slos", out var s) ? SloReader.ReadSlos(n, s, "slos", route.Receiver ?? string.Empty) : [];
        var dlq = top.TryGet("dlq", out var q) ? DlqReader.ReadDlq(n, q, "dlq") : null;
        var intervals = top.TryGet("timeIntervals", out var ti) ? TimeIntervalsReader.ReadTimeIntervals(n, ti, "timeIntervals") : [];
        var reactions = top.TryGet("reactions", out var re) ? ReactionsReader.ReadReactions(n, re, "reactions") : [];

        CheckReferences(receivers.Select(r => r.Name), _nodes.References, "receiver");
        CheckReferences(intervals.Select(t => t.Name), _nodes.IntervalReferences, "time interval");

        return new PipelineConfig
        {
            Defaults = defaults,
            Alarms = alarms,
            AlarmTags = alarmTags,
            Receivers = receivers,
            Route = route,
            Inhibit = inhibit,
            DrillReceiver = drillReceiver,
            Slos = slos,
            Dlq = dlq,
            TimeIntervals = intervals,
            Reactions = reactions,
        };
    }

    private static PipelineConfig Placeholder() => new() { Defaults = new Defaults(), Receivers = [], Route = new RouteConfig() };

    private void CheckReferences(IEnumerable<string> defined, IReadOnlyList<ConfigNodes.ReceiverReference> references, string what)
    {
        var known = defined.Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            if (!known.Contains(reference.Name))
            {
                var names = known.Count == 0 ? "none are defined" : "defined: " + string.Join(", ", known.Order(StringComparer.Ordinal));
                _nodes.Error(reference.Node, reference.Field, $"unknown {what} '{reference.Name}' ({names})");
            }
        }
    }
}
