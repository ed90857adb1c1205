using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>
/// The primitives every part of the config is read with: mappings with known keys, required keys, substitution and
/// errors at the node's line and column. Errors are collected, never thrown, so one run reports them all.
/// </summary>
internal sealed partial class ConfigNodes(IReadOnlyDictionary<string, string>? substitutions)
{
    private readonly List<ConfigError> _errors = [];
    private readonly List<ReceiverReference> _references = [];
    private readonly List<ReceiverReference> _intervalReferences = [];

    public IReadOnlyList<ConfigError> Errors => _errors;

    /// <summary>Every receiver name the config refers to, checked once all receivers are read.</summary>
    public IReadOnlyList<ReceiverReference> References => _references;

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>Every time interval name a route refers to, checked once all time intervals are read.</summary>
    public IReadOnlyList<ReceiverReference> IntervalReferences => _intervalReferences;

    /// <summary>A list of time interval names (a route's muteTimeIntervals or activeTimeIntervals), each remembered to be checked.</summary>
    public List<string> ReadIntervalReferences(YamlNode node, string path)
    {
        var names = ReadStringList(node, path, allowEmpty: true) ?? [];
        if (node is YamlSequenceNode sequence)
        {
            foreach (var (item, field) in Items(sequence, path))
            {
                if (item is YamlScalarNode { Value: { } name } && names.Contains(name, StringComparer.Ordinal))
                {
                    _intervalReferences.Add(new ReceiverReference(name, item, field));
                }
            }
        }

        return names;
    }

    public string? ReadReceiverReference(YamlNode node, string field)
    {
        var name = ReadString(node, field);
        if (name is not null)
        {
            _references.Add(new ReceiverReference(name, node, field));
        }

        return name;
    }

    public Fields? ReadFields(YamlNode node, string path, string[] allowed)
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

    public bool Require(Fields fields, string key, out YamlNode value)
    {
        if (fields.TryGet(key, out value))
        {
            return true;
        }

        Error(fields.Map, fields.Field(key), "is required");
        return false;
    }

    /// <summary>Replaces every <c>${Name}</c>; returns null (after one error per unresolved name) if any is missing.</summary>
    public string? Substitute(YamlScalarNode scalar, string field)
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

    public void Error(YamlNode node, string field, string message) =>
        _errors.Add(new ConfigError((int)node.Start.Line, (int)node.Start.Column, field, message));

    /// <summary>An error with no node to point at (an empty file).</summary>
    public void Error(int line, int column, string field, string message) => _errors.Add(new ConfigError(line, column, field, message));

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing (null)",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unsupported node",
    };

    public static string UnknownKey(string name, string[] allowed)
    {
        var closest = allowed.MinBy(a => EditDistance.Between(name.ToLowerInvariant(), a.ToLowerInvariant()));
        var hint = closest is not null && EditDistance.Between(name.ToLowerInvariant(), closest.ToLowerInvariant()) <= 2
            ? $"did you mean '{closest}'?"
            : "expected one of " + string.Join(", ", allowed);
        return $"unknown key '{name}' ({hint})";
    }

    [GeneratedRegex(@"\$\{([^}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholders();

    /// <summary>A name the config refers to (a receiver or a time interval), where it is written.</summary>
    public sealed record ReceiverReference(string Name, YamlNode Node, string Field);

    /// <summary>The recognised keys of one mapping, with their key nodes for positions.</summary>
    public sealed class Fields(YamlMappingNode map, string path)
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
