using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>Reads slos: objectives, windows and their burn-rate alerts.</summary>
internal static class SloReader
{
    private static readonly string[] SloKeys = ["name", "objective", "window", "alarms", "receiver", "burnAlerts"];
    private static readonly string[] BurnAlertKeys = ["long", "short", "burnRate", "receiver"];

    public static List<SloConfig> ReadSlos(ConfigNodes nodes, YamlNode node, string path, string rootReceiver)
    {
        var slos = new List<SloConfig>();
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (item, field) in nodes.Items(node, path))
        {
            var f = nodes.ReadFields(item, field, SloKeys);
            if (f is null)
            {
                continue;
            }

            var name = nodes.Require(f, "name", out var n) ? nodes.ReadString(n, f.Field("name")) ?? string.Empty : string.Empty;
            if (name.Length > 0 && !firstLine.TryAdd(name, n!.Start.Line))
            {
                nodes.Error(n!, f.Field("name"), $"SLO '{name}' is already defined at line {firstLine[name].ToString(CultureInfo.InvariantCulture)}");
            }

            double objective = 0;
            if (nodes.Require(f, "objective", out var o) && nodes.ReadNumber(o, f.Field("objective")) is { } value)
            {
                objective = value;
                if (value is <= 0 or >= 100)
                {
                    nodes.Error(o, f.Field("objective"), $"must be a percentage between 0 and 100 (exclusive), got {value.ToString(CultureInfo.InvariantCulture)}");
                }
            }

            var window = nodes.Require(f, "window", out var w) ? nodes.ReadDuration(w, f.Field("window"), positive: true) ?? TimeSpan.Zero : TimeSpan.Zero;
            var alarms = nodes.Require(f, "alarms", out var a) ? nodes.ReadStringList(a, f.Field("alarms"), allowEmpty: false) ?? [] : [];
            var receiver = f.TryGet("receiver", out var r) ? nodes.ReadReceiverReference(r, f.Field("receiver")) : null;

            var burnReceiver = receiver ?? rootReceiver;
            var burnAlerts = f.TryGet("burnAlerts", out var b)
                ? nodes.ReadList(b, f.Field("burnAlerts"), (bn, bp) => ReadBurnAlert(nodes, bn, bp, burnReceiver, window))
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

    private static BurnAlertConfig ReadBurnAlert(ConfigNodes nodes, YamlNode node, string path, string defaultReceiver, TimeSpan sloWindow)
    {
        var f = nodes.ReadFields(node, path, BurnAlertKeys);
        if (f is null)
        {
            return new BurnAlertConfig(TimeSpan.Zero, TimeSpan.Zero, 0, defaultReceiver);
        }

        var longWindow = nodes.Require(f, "long", out var l) ? nodes.ReadDuration(l, f.Field("long"), positive: true) : null;
        var shortWindow = nodes.Require(f, "short", out var s) ? nodes.ReadDuration(s, f.Field("short"), positive: true) : null;
        if (longWindow is { } lw && shortWindow is { } sw)
        {
            if (sw >= lw)
            {
                nodes.Error(s!, f.Field("short"), $"must be shorter than long ({ConfigDuration.Format(lw)}): the short window only confirms the burn is still happening");
            }

            if (sloWindow > TimeSpan.Zero && lw > sloWindow)
            {
                nodes.Error(l!, f.Field("long"), $"must not be longer than the SLO window ({ConfigDuration.Format(sloWindow)})");
            }
        }

        double burnRate = 0;
        if (nodes.Require(f, "burnRate", out var br) && nodes.ReadNumber(br, f.Field("burnRate")) is { } rate)
        {
            burnRate = rate;
            if (rate <= 0)
            {
                nodes.Error(br, f.Field("burnRate"), $"must be greater than 0, got {rate.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        var receiver = f.TryGet("receiver", out var r) ? nodes.ReadReceiverReference(r, f.Field("receiver")) ?? defaultReceiver : defaultReceiver;
        return new BurnAlertConfig(longWindow ?? TimeSpan.Zero, shortWindow ?? TimeSpan.Zero, burnRate, receiver);
    }
}
