using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>Reads defaults: group timing, flapping, the flood guard's caps and the clock skew.</summary>
internal static class DefaultsReader
{
    private static readonly string[] DefaultsKeys = ["groupWait", "groupInterval", "repeatInterval", "flapping", "sendResolved", "clockSkew", "floodGuard"];
    private static readonly string[] FloodGuardKeys = ["alertPerHour", "receiverPerMinute"];
    private static readonly string[] ChannelKeys = [.. ChannelCatalog.Names];
    private static readonly string[] FlappingKeys = ["changes", "window"];

    public static Defaults ReadDefaults(ConfigNodes nodes, YamlNode node, string path)
    {
        var result = new Defaults();
        var f = nodes.ReadFields(node, path, DefaultsKeys);
        if (f is null)
        {
            return result;
        }

        if (f.TryGet("groupWait", out var gw))
        {
            result = result with { GroupWait = nodes.ReadDuration(gw, f.Field("groupWait")) ?? result.GroupWait };
        }

        if (f.TryGet("groupInterval", out var gi))
        {
            result = result with { GroupInterval = nodes.ReadDuration(gi, f.Field("groupInterval"), positive: true) ?? result.GroupInterval };
        }

        if (f.TryGet("repeatInterval", out var ri))
        {
            result = result with { RepeatInterval = nodes.ReadDuration(ri, f.Field("repeatInterval"), positive: true) ?? result.RepeatInterval };
        }

        if (f.TryGet("flapping", out var fl))
        {
            result = result with { Flapping = ReadFlapping(nodes, fl, f.Field("flapping")) };
        }

        if (f.TryGet("sendResolved", out var sr))
        {
            result = result with { SendResolved = nodes.ReadBool(sr, f.Field("sendResolved")) ?? result.SendResolved };
        }

        if (f.TryGet("floodGuard", out var fg))
        {
            result = result with { FloodGuard = ReadFloodGuard(nodes, fg, f.Field("floodGuard")) };
        }

        if (f.TryGet("clockSkew", out var cs) && nodes.ReadDuration(cs, f.Field("clockSkew"), positive: true) is { } skew)
        {
            // Beyond a day an input time is no longer a clock's drift: it would let one event block its alarm for days.
            if (skew > TimeSpan.FromDays(1))
            {
                nodes.Error(cs, f.Field("clockSkew"), "must be at most 1d");
            }
            else
            {
                result = result with { ClockSkew = skew };
            }
        }

        return result;
    }

    private static FloodGuardConfig ReadFloodGuard(ConfigNodes nodes, YamlNode node, string path)
    {
        var result = new FloodGuardConfig();
        var f = nodes.ReadFields(node, path, FloodGuardKeys);
        if (f is null)
        {
            return result;
        }

        if (f.TryGet("alertPerHour", out var a) && ReadCap(nodes, a, f.Field("alertPerHour")) is { } perHour)
        {
            result = result with { AlertPerHour = perHour };
        }

        if (f.TryGet("receiverPerMinute", out var r) && nodes.ReadFields(r, f.Field("receiverPerMinute"), ChannelKeys) is { } channels)
        {
            var caps = new Dictionary<string, int>(result.ReceiverPerMinute, StringComparer.Ordinal);
            foreach (var channel in ChannelKeys)
            {
                if (channels.TryGet(channel, out var c) && ReadCap(nodes, c, channels.Field(channel)) is { } cap)
                {
                    caps[channel] = cap;
                }
            }

            result = result with { ReceiverPerMinute = caps };
        }

        return result;
    }

    /// <summary>A cap is a whole number of notifications, at least one (a guard of zero would hold every page).</summary>
    private static int? ReadCap(ConfigNodes nodes, YamlNode node, string field)
    {
        var value = nodes.ReadInt(node, field);
        if (value is < 1)
        {
            nodes.Error(node, field, $"must be at least 1, got {value.Value.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        return value;
    }

    private static FlappingConfig ReadFlapping(ConfigNodes nodes, YamlNode node, string path)
    {
        var result = new FlappingConfig();
        var f = nodes.ReadFields(node, path, FlappingKeys);
        if (f is null)
        {
            return result;
        }

        if (f.TryGet("changes", out var c) && nodes.ReadInt(c, f.Field("changes")) is { } changes)
        {
            // One change is every ordinary ALARM or OK; flapping needs at least a round trip.
            if (changes < 2)
            {
                nodes.Error(c, f.Field("changes"), $"must be at least 2, got {changes.ToString(CultureInfo.InvariantCulture)}");
            }
            else
            {
                result = result with { Changes = changes };
            }
        }

        if (f.TryGet("window", out var w))
        {
            result = result with { Window = nodes.ReadDuration(w, f.Field("window"), positive: true) ?? result.Window };
        }

        return result;
    }
}
