using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>
/// Reads receivers: each a unique name and exactly one channel key; the channel's block is read by its notifier,
/// so the valid channels are whatever <see cref="ChannelCatalog"/> holds.
/// </summary>
internal static class ReceiversReader
{
    private static readonly string[] ReceiverKeys = ["name", .. ChannelCatalog.Names];

    public static List<ReceiverConfig> ReadReceivers(ConfigNodes nodes, YamlNode node, string path)
    {
        var receivers = new List<ReceiverConfig>();
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (item, field) in nodes.Items(node, path))
        {
            var f = nodes.ReadFields(item, field, ReceiverKeys);
            if (f is null)
            {
                continue;
            }

            var name = nodes.Require(f, "name", out var n) ? nodes.ReadString(n, f.Field("name")) ?? string.Empty : string.Empty;
            if (name.Length > 0 && !firstLine.TryAdd(name, n!.Start.Line))
            {
                nodes.Error(n!, f.Field("name"), $"receiver '{name}' is already defined at line {firstLine[name].ToString(CultureInfo.InvariantCulture)}");
            }

            var present = ChannelCatalog.All.Where(c => f.Has(c.Name)).ToList();
            if (present.Count == 0)
            {
                nodes.Error(f.Map, field, "needs exactly one channel: " + ChannelCatalog.NamesInProse());
            }
            else if (present.Count > 1)
            {
                f.TryGetKey(present[1].Name, out var second);
                nodes.Error(second, f.Field(present[1].Name), $"a receiver has exactly one channel, this one also has {present[0].Name}");
            }

            // Every channel present is read (and so checked), as before; the first one is the receiver's.
            ReceiverSettings? settings = null;
            foreach (var notifier in present)
            {
                f.TryGet(notifier.Name, out var block);
                var read = notifier.ReadSettings(new YamlChannelBlock(nodes, block, f.Field(notifier.Name), notifier.SettingKeys));
                settings ??= read;
            }

            receivers.Add(new ReceiverConfig { Name = name, Settings = settings });
        }

        return receivers;
    }

    /// <summary>A channel's block over the YAML node: unknown keys are reported when it is opened, in the file's order.</summary>
    private sealed class YamlChannelBlock : ChannelBlock
    {
        private readonly ConfigNodes _nodes;
        private readonly ConfigNodes.Fields? _fields;

        public YamlChannelBlock(ConfigNodes nodes, YamlNode node, string path, IReadOnlyList<string> keys)
        {
            _nodes = nodes;
            _fields = nodes.ReadFields(node, path, [.. keys]);
        }

        /// <summary>Secrets are SSM parameter names, which are absolute paths.</summary>
        public override string Parameter(string key)
        {
            var value = Text(key);
            if (value.Length > 0 && !value.StartsWith('/'))
            {
                _fields!.TryGet(key, out var v);
                _nodes.Error(v, _fields.Field(key), $"must be an SSM parameter name starting with '/', got '{value}'");
            }

            return value;
        }

        public override string Text(string key)
        {
            if (_fields is null || !_nodes.Require(_fields, key, out var v))
            {
                return string.Empty;
            }

            return _nodes.ReadString(v, _fields.Field(key)) ?? string.Empty;
        }
    }
}
