using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>Scalars, lists and label mappings.</summary>
internal sealed partial class ConfigNodes
{
    public string? ReadString(YamlNode node, string field, bool allowEmpty = false, string nullHint = "")
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

    public TimeSpan? ReadDuration(YamlNode node, string field, bool positive = false)
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

    public double? ReadNumber(YamlNode node, string field)
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

    public int? ReadInt(YamlNode node, string field)
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

    public bool? ReadBool(YamlNode node, string field)
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
    public string? PlainScalar(YamlNode node, string field, string expected)
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

    public IEnumerable<(YamlNode Item, string Field)> Items(YamlNode node, string path)
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

    public List<T> ReadList<T>(YamlNode node, string path, Func<YamlNode, string, T> read) =>
        [.. Items(node, path).Select(x => read(x.Item, x.Field))];

    public List<string>? ReadStringList(YamlNode node, string path, bool allowEmpty)
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

    /// <summary>The entries of a label mapping (matchers or labels), with scalar, non-empty label names.</summary>
    public IEnumerable<(string Label, YamlNode Value, string Field)> Pairs(YamlNode node, string path)
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

    public LabelMatchers ReadMatchers(YamlNode node, string path)
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

    /// <summary>
    /// A list of matchers in Alertmanager syntax (<c>matchers: ["service!=checkout", "env=~prod|staging"]</c>); a matcher
    /// the parser cannot read is an error naming its field and the character where it went wrong.
    /// </summary>
    public LabelMatchers ReadMatcherList(YamlNode node, string path)
    {
        var matchers = new List<LabelMatcher>();
        foreach (var (item, field) in Items(node, path))
        {
            if (ReadString(item, field) is not { } text)
            {
                continue;
            }

            try
            {
                matchers.Add(LabelMatcher.Parse(text));
            }
            catch (FormatException e)
            {
                Error(item, field, e.Message);
            }
        }

        return new LabelMatchers(matchers);
    }

    /// <summary>The <paramref name="mapKey"/> map and the <paramref name="listKey"/> list beside it: an alert must match both.</summary>
    public LabelMatchers ReadMatch(Fields fields, string mapKey, string listKey, bool required)
    {
        var map = fields.TryGet(mapKey, out var m) ? ReadMatchers(m, fields.Field(mapKey)) : LabelMatchers.Empty;
        var list = fields.TryGet(listKey, out var l) ? ReadMatcherList(l, fields.Field(listKey)) : LabelMatchers.Empty;
        if (required && !fields.TryGet(mapKey, out _) && !fields.TryGet(listKey, out _))
        {
            Error(fields.Map, fields.Field(mapKey), $"is required (or {listKey})");
        }

        return map.And(list);
    }

    public Dictionary<string, string> ReadLabels(YamlNode node, string path)
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
}
