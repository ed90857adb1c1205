using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>
/// Walks the YAML representation model into a <see cref="PipelineConfig"/>, collecting every error instead of stopping
/// at the first; invalid parts get placeholder values so the walk can go on (the caller throws when any error exists).
/// </summary>
internal sealed partial class ConfigReader(IReadOnlyDictionary<string, string>? substitutions)
{
    private static readonly string[] TopKeys = ["defaults", "alarms", "receivers", "route", "inhibit", "drillReceiver", "slos", "dlq"];
    private static readonly string[] DefaultsKeys = ["groupWait", "repeatInterval", "flapping", "sendResolved", "clockSkew", "floodGuard"];
    private static readonly string[] FloodGuardKeys = ["alertPerHour", "receiverPerMinute"];
    private static readonly string[] ChannelKeys = [Decisions.Channels.PagerDuty, Decisions.Channels.Slack, Decisions.Channels.Sns, Decisions.Channels.Webhook];
    private static readonly string[] FlappingKeys = ["changes", "window"];
    private static readonly string[] AlarmRuleKeys = ["match", "labels"];
    private static readonly string[] Channels = ["pagerduty", "slack", "sns", "webhook"];
    private static readonly string[] ReceiverKeys = ["name", .. Channels];
    private static readonly string[] RouteKeys = ["receiver", "match", "groupBy", "groupWait", "repeatInterval", "continue", "routes"];
    private static readonly string[] InhibitKeys = ["sourceMatch", "targetMatch", "equal"];
    private static readonly string[] SloKeys = ["name", "objective", "window", "alarms", "receiver", "burnAlerts"];
    private static readonly string[] BurnAlertKeys = ["long", "short", "burnRate", "receiver"];
    private static readonly string[] DlqKeys = ["groupBy", "receiver"];

    private readonly List<ConfigError> _errors = [];
    private readonly List<ReceiverReference> _references = [];

    public IReadOnlyList<ConfigError> Errors => _errors;

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public PipelineConfig Read(YamlNode? root)
    {
        if (root is null || IsNull(root))
        {
            _errors.Add(new ConfigError(1, 1, "config", "the file is empty; it needs at least receivers and route"));
            return Placeholder();
        }

        var top = ReadFields(root, string.Empty, TopKeys);
        if (top is null)
        {
            return Placeholder();
        }

        var defaults = top.TryGet("defaults", out var d) ? ReadDefaults(d, "defaults") : new Defaults();
        var alarms = top.TryGet("alarms", out var a) ? ReadList(a, "alarms", ReadAlarmRule) : [];
        var receivers = Require(top, "receivers", out var r) ? ReadReceivers(r, "receivers") : [];
        var route = Require(top, "route", out var rt) ? ReadRoute(rt, "route", isRoot: true) : new RouteConfig();
        var inhibit = top.TryGet("inhibit", out var i) ? ReadList(i, "inhibit", ReadInhibitRule) : [];
        var drillReceiver = top.TryGet("drillReceiver", out var dr) ? ReadReceiverReference(dr, "drillReceiver") : null;
        var slos = top.TryGet("slos", out var s) ? ReadSlos(s, "slos", route.Receiver ?? string.Empty) : [];
        var dlq = top.TryGet("dlq", out var q) ? ReadDlq(q, "dlq") : null;

        CheckReferences(receivers);

        return new PipelineConfig
        {
            Defaults = defaults,
            Alarms = alarms,
            Receivers = receivers,
            Route = route,
            Inhibit = inhibit,
            DrillReceiver = drillReceiver,
            Slos = slos,
            Dlq = dlq,
        };
    }

    private static PipelineConfig Placeholder() => new() { Defaults = new Defaults(), Receivers = [], Route = new RouteConfig() };

    private Defaults ReadDefaults(YamlNode node, string path)
    {
        var result = new Defaults();
        var f = ReadFields(node, path, DefaultsKeys);
        if (f is null)
        {
            return result;
        }

        if (f.TryGet("groupWait", out var gw))
        {
            result = result with { GroupWait = ReadDuration(gw, f.Field("groupWait")) ?? result.GroupWait };
        }

        if (f.TryGet("repeatInterval", out var ri))
        {
            result = result with { RepeatInterval = ReadDuration(ri, f.Field("repeatInterval"), positive: true) ?? result.RepeatInterval };
        }

        if (f.TryGet("flapping", out var fl))
        {
            result = result with { Flapping = ReadFlapping(fl, f.Field("flapping")) };
        }

        if (f.TryGet("sendResolved", out var sr))
        {
            result = result with { SendResolved = ReadBool(sr, f.Field("sendResolved")) ?? result.SendResolved };
        }

        if (f.TryGet("floodGuard", out var fg))
        {
            result = result with { FloodGuard = ReadFloodGuard(fg, f.Field("floodGuard")) };
        }

        if (f.TryGet("clockSkew", out var cs) && ReadDuration(cs, f.Field("clockSkew"), positive: true) is { } skew)
        {
            // Beyond a day an input time is no longer a clock's drift: it would let one event block its alarm for days.
            if (skew > TimeSpan.FromDays(1))
            {
                Error(cs, f.Field("clockSkew"), "must be at most 1d");
            }
            else
            {
                result = result with { ClockSkew = skew };
            }
        }

        return result;
    }

    private Floods.FloodGuardConfig ReadFloodGuard(YamlNode node, string path)
    {
        var result = new Floods.FloodGuardConfig();
        var f = ReadFields(node, path, FloodGuardKeys);
        if (f is null)
        {
            return result;
        }

        if (f.TryGet("alertPerHour", out var a) && ReadCap(a, f.Field("alertPerHour")) is { } perHour)
        {
            result = result with { AlertPerHour = perHour };
        }

        if (f.TryGet("receiverPerMinute", out var r) && ReadFields(r, f.Field("receiverPerMinute"), ChannelKeys) is { } channels)
        {
            var caps = new Dictionary<string, int>(result.ReceiverPerMinute, StringComparer.Ordinal);
            foreach (var channel in ChannelKeys)
            {
                if (channels.TryGet(channel, out var c) && ReadCap(c, channels.Field(channel)) is { } cap)
                {
                    caps[channel] = cap;
                }
            }

            result = result with { ReceiverPerMinute = caps };
        }

        return result;
    }

    /// <summary>A cap is a whole number of notifications, at least one (a guard of zero would hold every page).</summary>
    private int? ReadCap(YamlNode node, string field)
    {
        var value = ReadInt(node, field);
        if (value is < 1)
        {
            Error(node, field, $"must be at least 1, got {value.Value.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        return value;
    }

    private FlappingConfig ReadFlapping(YamlNode node, string path)
    {
        var result = new FlappingConfig();
        var f = ReadFields(node, path, FlappingKeys);
        if (f is null)
        {
            return result;
        }

        if (f.TryGet("changes", out var c) && ReadInt(c, f.Field("changes")) is { } changes)
        {
            // One change is every ordinary ALARM or OK; flapping needs at least a round trip.
            if (changes < 2)
            {
                Error(c, f.Field("changes"), $"must be at least 2, got {changes.ToString(CultureInfo.InvariantCulture)}");
            }
            else
            {
                result = result with { Changes = changes };
            }
        }

        if (f.TryGet("window", out var w))
        {
            result = result with { Window = ReadDuration(w, f.Field("window"), positive: true) ?? result.Window };
        }

        return result;
    }

    private AlarmLabelRule ReadAlarmRule(YamlNode node, string path)
    {
        var f = ReadFields(node, path, AlarmRuleKeys);
        if (f is null)
        {
            return new AlarmLabelRule(LabelMatchers.Empty, new Dictionary<string, string>());
        }

        var match = Require(f, "match", out var m) ? ReadMatchers(m, f.Field("match")) : LabelMatchers.Empty;
        var labels = Require(f, "labels", out var l) ? ReadLabels(l, f.Field("labels")) : new Dictionary<string, string>();
        return new AlarmLabelRule(match, labels);
    }

    private List<ReceiverConfig> ReadReceivers(YamlNode node, string path)
    {
        var receivers = new List<ReceiverConfig>();
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (item, field) in Items(node, path))
        {
            var f = ReadFields(item, field, ReceiverKeys);
            if (f is null)
            {
                continue;
            }

            var name = Require(f, "name", out var n) ? ReadString(n, f.Field("name")) ?? string.Empty : string.Empty;
            if (name.Length > 0 && !firstLine.TryAdd(name, n!.Start.Line))
            {
                Error(n!, f.Field("name"), $"receiver '{name}' is already defined at line {firstLine[name].ToString(CultureInfo.InvariantCulture)}");
            }

            var present = Channels.Where(c => f.Has(c)).ToList();
            if (present.Count == 0)
            {
                Error(f.Map, field, "needs exactly one channel: pagerduty, slack, sns or webhook");
            }
            else if (present.Count > 1)
            {
                f.TryGetKey(present[1], out var second);
                Error(second, f.Field(present[1]), $"a receiver has exactly one channel, this one also has {present[0]}");
            }

            var receiver = new ReceiverConfig { Name = name };
            if (f.TryGet("pagerduty", out var pd))
            {
                receiver = receiver with { PagerDuty = new PagerDutyReceiver(ReadChannelSetting(pd, f.Field("pagerduty"), "routingKeyParameter", parameter: true)) };
            }

            if (f.TryGet("slack", out var sl))
            {
                receiver = receiver with { Slack = new SlackReceiver(ReadChannelSetting(sl, f.Field("slack"), "webhookUrlParameter", parameter: true)) };
            }

            if (f.TryGet("sns", out var sn))
            {
                receiver = receiver with { Sns = new SnsReceiver(ReadChannelSetting(sn, f.Field("sns"), "topicArn", parameter: false)) };
            }

            if (f.TryGet("webhook", out var wh))
            {
                receiver = receiver with { Webhook = new WebhookReceiver(ReadChannelSetting(wh, f.Field("webhook"), "urlParameter", parameter: true)) };
            }

            receivers.Add(receiver);
        }

        return receivers;
    }

    /// <summary>Reads a channel's one setting; secrets are SSM parameter names, which are absolute paths.</summary>
    private string ReadChannelSetting(YamlNode node, string path, string key, bool parameter)
    {
        var f = ReadFields(node, path, [key]);
        if (f is null || !Require(f, key, out var v))
        {
            return string.Empty;
        }

        var value = ReadString(v, f.Field(key)) ?? string.Empty;
        if (parameter && value.Length > 0 && !value.StartsWith('/'))
        {
            Error(v, f.Field(key), $"must be an SSM parameter name starting with '/', got '{value}'");
        }

        return value;
    }

    private RouteConfig ReadRoute(YamlNode node, string path, bool isRoot)
    {
        var f = ReadFields(node, path, RouteKeys);
        if (f is null)
        {
            return new RouteConfig();
        }

        string? receiver = null;
        if (f.TryGet("receiver", out var r))
        {
            receiver = ReadReceiverReference(r, f.Field("receiver"));
        }
        else if (isRoot)
        {
            Error(f.Map, f.Field("receiver"), "the root route needs a receiver: it gets every alert no child route matches");
        }

        var match = LabelMatchers.Empty;
        if (f.TryGet("match", out var m))
        {
            if (isRoot)
            {
                Error(m, f.Field("match"), "the root route matches every alert and cannot have match");
            }
            else
            {
                match = ReadMatchers(m, f.Field("match"));
            }
        }

        var groupBy = f.TryGet("groupBy", out var g) ? ReadStringList(g, f.Field("groupBy"), allowEmpty: true) : null;
        var groupWait = f.TryGet("groupWait", out var gw) ? ReadDuration(gw, f.Field("groupWait")) : null;
        var repeat = f.TryGet("repeatInterval", out var ri) ? ReadDuration(ri, f.Field("repeatInterval"), positive: true) : null;
        var cont = f.TryGet("continue", out var c) && (ReadBool(c, f.Field("continue")) ?? false);
        if (isRoot && cont)
        {
            Error(c!, f.Field("continue"), "the root route has no siblings, so it cannot have continue: true");
        }

        var routes = f.TryGet("routes", out var rs) ? ReadList(rs, f.Field("routes"), (n, p) => ReadRoute(n, p, isRoot: false)) : [];
        return new RouteConfig
        {
            Receiver = receiver,
            Match = match,
            GroupBy = groupBy,
            GroupWait = groupWait,
            RepeatInterval = repeat,
            Continue = cont,
            Routes = routes,
        };
    }

    private InhibitRule ReadInhibitRule(YamlNode node, string path)
    {
        var f = ReadFields(node, path, InhibitKeys);
        if (f is null)
        {
            return new InhibitRule(LabelMatchers.Empty, LabelMatchers.Empty, []);
        }

        var source = Require(f, "sourceMatch", out var s) ? ReadMatchers(s, f.Field("sourceMatch")) : LabelMatchers.Empty;
        var target = Require(f, "targetMatch", out var t) ? ReadMatchers(t, f.Field("targetMatch")) : LabelMatchers.Empty;
        var equal = f.TryGet("equal", out var e) ? ReadStringList(e, f.Field("equal"), allowEmpty: true) ?? [] : [];
        return new InhibitRule(source, target, equal);
    }

    private List<SloConfig> ReadSlos(YamlNode node, string path, string rootReceiver)
    {
        var slos = new List<SloConfig>();
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (item, field) in Items(node, path))
        {
            var f = ReadFields(item, field, SloKeys);
            if (f is null)
            {
                continue;
            }

            var name = Require(f, "name", out var n) ? ReadString(n, f.Field("name")) ?? string.Empty : string.Empty;
            if (name.Length > 0 && !firstLine.TryAdd(name, n!.Start.Line))
            {
                Error(n!, f.Field("name"), $"SLO '{name}' is already defined at line {firstLine[name].ToString(CultureInfo.InvariantCulture)}");
            }

            double objective = 0;
            if (Require(f, "objective", out var o) && ReadNumber(o, f.Field("objective")) is { } value)
            {
                objective = value;
                if (value is <= 0 or >= 100)
                {
                    Error(o, f.Field("objective"), $"must be a percentage between 0 and 100 (exclusive), got {value.ToString(CultureInfo.InvariantCulture)}");
                }
            }

            var window = Require(f, "window", out var w) ? ReadDuration(w, f.Field("window"), positive: true) ?? TimeSpan.Zero : TimeSpan.Zero;
            var alarms = Require(f, "alarms", out var a) ? ReadStringList(a, f.Field("alarms"), allowEmpty: false) ?? [] : [];
            var receiver = f.TryGet("receiver", out var r) ? ReadReceiverReference(r, f.Field("receiver")) : null;

            var burnReceiver = receiver ?? rootReceiver;
            var burnAlerts = f.TryGet("burnAlerts", out var b)
                ? ReadList(b, f.Field("burnAlerts"), (bn, bp) => ReadBurnAlert(bn, bp, burnReceiver, window))
                : ConfigLoader.DefaultBurnAlerts(burnReceiver);

            slos.Add(new SloConfig
            {
                Name = name,
                Objective = objective,
                Window = window,
                Alarms = alarms,
                Receiver = receiver,
                BurnAlerts = burnAlerts,
            });
        }

        return slos;
    }

    private BurnAlertConfig ReadBurnAlert(YamlNode node, string path, string defaultReceiver, TimeSpan sloWindow)
    {
        var f = ReadFields(node, path, BurnAlertKeys);
        if (f is null)
        {
            return new BurnAlertConfig(TimeSpan.Zero, TimeSpan.Zero, 0, defaultReceiver);
        }

        var longWindow = Require(f, "long", out var l) ? ReadDuration(l, f.Field("long"), positive: true) : null;
        var shortWindow = Require(f, "short", out var s) ? ReadDuration(s, f.Field("short"), positive: true) : null;
        if (longWindow is { } lw && shortWindow is { } sw)
        {
            if (sw >= lw)
            {
                Error(s!, f.Field("short"), $"must be shorter than long ({ConfigDuration.Format(lw)}): the short window only confirms the burn is still happening");
            }

            if (sloWindow > TimeSpan.Zero && lw > sloWindow)
            {
                Error(l!, f.Field("long"), $"must not be longer than the SLO window ({ConfigDuration.Format(sloWindow)})");
            }
        }

        double burnRate = 0;
        if (Require(f, "burnRate", out var br) && ReadNumber(br, f.Field("burnRate")) is { } rate)
        {
            burnRate = rate;
            if (rate <= 0)
            {
                Error(br, f.Field("burnRate"), $"must be greater than 0, got {rate.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        var receiver = f.TryGet("receiver", out var r) ? ReadReceiverReference(r, f.Field("receiver")) ?? defaultReceiver : defaultReceiver;
        return new BurnAlertConfig(longWindow ?? TimeSpan.Zero, shortWindow ?? TimeSpan.Zero, burnRate, receiver);
    }

    private DlqConfig? ReadDlq(YamlNode node, string path)
    {
        var f = ReadFields(node, path, DlqKeys);
        if (f is null)
        {
            return null;
        }

        // The queue is what an operator acts on, so it is the group when nothing else is said.
        var groupBy = f.TryGet("groupBy", out var g) ? ReadStringList(g, f.Field("groupBy"), allowEmpty: true) ?? [] : ["queue"];
        var receiver = Require(f, "receiver", out var r) ? ReadReceiverReference(r, f.Field("receiver")) ?? string.Empty : string.Empty;
        return new DlqConfig(groupBy, receiver);
    }

    private string? ReadReceiverReference(YamlNode node, string field)
    {
        var name = ReadString(node, field);
        if (name is not null)
        {
            _references.Add(new ReceiverReference(name, node, field));
        }

        return name;
    }

    private void CheckReferences(List<ReceiverConfig> receivers)
    {
        var known = receivers.Select(r => r.Name).Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
        foreach (var reference in _references)
        {
            if (!known.Contains(reference.Name))
            {
                var names = known.Count == 0 ? "none are defined" : "defined: " + string.Join(", ", known.Order(StringComparer.Ordinal));
                Error(reference.Node, reference.Field, $"unknown receiver '{reference.Name}' ({names})");
            }
        }
    }

    private LabelMatchers ReadMatchers(YamlNode node, string path)
    {
        var matchers = new List<LabelMatcher>();
        foreach (var (label, value, field) in Pairs(node, path))
        {
            var pattern = ReadString(value, field, allowEmpty: true, nullHint: " (use \"\" to match a missing label)");
            if (pattern is null)
            {
                continue;
            }

            try
            {
                matchers.Add(new LabelMatcher(label, pattern));
            }
            catch (ArgumentException e)
            {
                Error(value, field, $"invalid regular expression '{pattern[1..]}': {e.Message}");
            }
        }

        return new LabelMatchers(matchers);
    }

    private Dictionary<string, string> ReadLabels(YamlNode node, string path)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (label, value, field) in Pairs(node, path))
        {
            if (ReadString(value, field, allowEmpty: true) is { } text)
            {
                labels[label] = text;
            }
        }

        return labels;
    }

    /// <summary>The entries of a label mapping (matchers or labels), with scalar, non-empty label names.</summary>
    private IEnumerable<(string Label, YamlNode Value, string Field)> Pairs(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, path, $"must be a mapping of label: value, got {Describe(node)}");
            yield break;
        }

        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { Length: > 0 } label })
            {
                Error(key, path, "label names must be non-empty strings");
                continue;
            }

            yield return (label, value, Join(path, label));
        }
    }

    private IEnumerable<(YamlNode Item, string Field)> Items(YamlNode node, string path)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, path, $"must be a list, got {Describe(node)}");
            yield break;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            yield return (sequence.Children[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]");
        }
    }

    private List<T> ReadList<T>(YamlNode node, string path, Func<YamlNode, string, T> read) =>
        [.. Items(node, path).Select(x => read(x.Item, x.Field))];

    private List<string>? ReadStringList(YamlNode node, string path, bool allowEmpty)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, path, $"must be a list, got {Describe(node)}");
            return null;
        }

        if (!allowEmpty && sequence.Children.Count == 0)
        {
            Error(node, path, "must list at least one entry");
        }

        var values = new List<string>();
        foreach (var (item, field) in Items(node, path))
        {
            if (ReadString(item, field) is not { } value)
            {
                continue;
            }

            if (values.Contains(value, StringComparer.Ordinal))
            {
                Error(item, field, $"'{value}' is listed twice");
                continue;
            }

            values.Add(value);
        }

        return values;
    }

    private string? ReadString(YamlNode node, string field, bool allowEmpty = false, string nullHint = "")
    {
        if (node is not YamlScalarNode scalar || IsNull(node))
        {
            Error(node, field, $"must be a string, got {Describe(node)}{nullHint}");
            return null;
        }

        var text = Substitute(scalar, field);
        if (text is null)
        {
            return null;
        }

        if (!allowEmpty && text.Length == 0)
        {
            Error(node, field, "must not be empty");
            return null;
        }

        return text;
    }

    private TimeSpan? ReadDuration(YamlNode node, string field, bool positive = false)
    {
        if (node is not YamlScalarNode scalar || IsNull(node))
        {
            Error(node, field, $"must be a duration like 30s, 5m, 4h, 3d or 1h30m, got {Describe(node)}");
            return null;
        }

        var text = Substitute(scalar, field);
        if (text is null)
        {
            return null;
        }

        if (!ConfigDuration.TryParse(text, out var value))
        {
            Error(node, field, $"must be a duration like 30s, 5m, 4h, 3d or 1h30m, got '{text}'");
            return null;
        }

        if (positive && value <= TimeSpan.Zero)
        {
            Error(node, field, $"must be longer than 0s, got '{text}'");
            return null;
        }

        return value;
    }

    private double? ReadNumber(YamlNode node, string field)
    {
        var text = PlainScalar(node, field, "a number");
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Error(node, field, $"must be a number, got '{text}'");
            return null;
        }

        return value;
    }

    private int? ReadInt(YamlNode node, string field)
    {
        var text = PlainScalar(node, field, "a whole number");
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(node, field, $"must be a whole number, got '{text}'");
            return null;
        }

        return value;
    }

    private bool? ReadBool(YamlNode node, string field)
    {
        var text = PlainScalar(node, field, "true or false");
        switch (text)
        {
            case null:
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            default:
                Error(node, field, $"must be true or false, got '{text}'");
                return null;
        }
    }

    /// <summary>The text of an unquoted scalar: a quoted "4" is a string, and a typo'd type should say so.</summary>
    private string? PlainScalar(YamlNode node, string field, string expected)
    {
        if (node is not YamlScalarNode scalar || IsNull(node))
        {
            Error(node, field, $"must be {expected}, got {Describe(node)}");
            return null;
        }

        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted)
        {
            Error(node, field, $"must be {expected}, got the quoted string '{scalar.Value}'");
            return null;
        }

        return Substitute(scalar, field);
    }

    /// <summary>Replaces every <c>${Name}</c>; returns null (after one error per unresolved name) if any is missing.</summary>
    private string? Substitute(YamlScalarNode scalar, string field)
    {
        var text = scalar.Value ?? string.Empty;
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return text;
        }

        var resolved = true;
        var result = Placeholders().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            if (substitutions is not null && substitutions.TryGetValue(name, out var value))
            {
                return value;
            }

            resolved = false;
            Error(scalar, field, $"unresolved substitution ${{{name}}}: no value named '{name}' was provided");
            return m.Value;
        });
        return resolved ? result : null;
    }

    private Fields? ReadFields(YamlNode node, string path, string[] allowed)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, path.Length == 0 ? "config" : path, $"must be a mapping, got {Describe(node)}");
            return null;
        }

        var fields = new Fields(map, path);
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                Error(key, path.Length == 0 ? "config" : path, "keys must be plain strings");
                continue;
            }

            if (Array.IndexOf(allowed, name) < 0)
            {
                Error(key, Join(path, name), UnknownKey(name, allowed));
                continue;
            }

            fields.Add(name, key, value);
        }

        return fields;
    }

    private bool Require(Fields fields, string key, out YamlNode value)
    {
        if (fields.TryGet(key, out value))
        {
            return true;
        }

        Error(fields.Map, fields.Field(key), "is required");
        return false;
    }

    private static string UnknownKey(string name, string[] allowed)
    {
        var closest = allowed.MinBy(a => EditDistance(name.ToLowerInvariant(), a.ToLowerInvariant()));
        var hint = closest is not null && EditDistance(name.ToLowerInvariant(), closest.ToLowerInvariant()) <= 2
            ? $"did you mean '{closest}'?"
            : "expected one of " + string.Join(", ", allowed);
        return $"unknown key '{name}' ({hint})";
    }

    /// <summary>Optimal string alignment distance: a swapped pair of letters (recievers) counts as one edit.</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing (null)",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unsupported node",
    };

    private void Error(YamlNode node, string field, string message) =>
        _errors.Add(new ConfigError((int)node.Start.Line, (int)node.Start.Column, field, message));

    [GeneratedRegex(@"\$\{([^}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholders();

    private sealed record ReceiverReference(string Name, YamlNode Node, string Field);

    /// <summary>The recognised keys of one mapping, with their key nodes for positions.</summary>
    private sealed class Fields(YamlMappingNode map, string path)
    {
        private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _values = new(StringComparer.Ordinal);

        public YamlMappingNode Map { get; } = map;

        public string Field(string key) => Join(path, key);

        public void Add(string name, YamlNode key, YamlNode value) => _values[name] = (key, value);

        public bool Has(string key) => _values.ContainsKey(key);

        public bool TryGet(string key, out YamlNode value)
        {
            var found = _values.TryGetValue(key, out var entry);
            value = entry.Value!;
            return found;
        }

        public bool TryGetKey(string key, out YamlNode keyNode)
        {
            var found = _values.TryGetValue(key, out var entry);
            keyNode = entry.Key!;
            return found;
        }
    }
}
