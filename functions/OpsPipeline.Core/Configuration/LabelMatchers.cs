using System.Text.RegularExpressions;

namespace OpsPipeline.Core.Configuration;

/// <summary>
/// One label matcher: a plain string is equality, a leading <c>~</c> is a regex anchored at the start of the value
/// (so the config's <c>~^checkout-</c> means "starts with checkout-"; add <c>$</c> to match the whole value).
/// </summary>
public sealed class LabelMatcher
{
    private readonly Regex? _regex;

    public LabelMatcher(string label, string pattern)
    {
        Label = label;
        Pattern = pattern;
        if (pattern.StartsWith('~'))
        {
            // Anchored at the start only: the architecture's own examples (~^checkout-, ~^billing-) are prefixes.
            // A timeout bounds a pathological pattern from a config file.
            _regex = new Regex("^(?:" + pattern[1..] + ")", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
    }

    public string Label { get; }

    /// <summary>The matcher as written in the config (with <c>~</c> for regexes).</summary>
    public string Pattern { get; }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var value = labels.TryGetValue(Label, out var v) ? v : string.Empty;
        return _regex is null ? string.Equals(value, Pattern, StringComparison.Ordinal) : _regex.IsMatch(value);
    }

    public override string ToString() => $"{Label}={Pattern}";
}

/// <summary>All matchers must match (an empty set matches everything).</summary>
public sealed class LabelMatchers(IReadOnlyList<LabelMatcher> matchers)
{
    public static readonly LabelMatchers Empty = new([]);

    public IReadOnlyList<LabelMatcher> Items { get; } = matchers;

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var m in Items)
        {
            if (!m.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => "{" + string.Join(", ", Items) + "}";
}
