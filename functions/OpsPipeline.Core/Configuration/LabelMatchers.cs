using System.Text.RegularExpressions;

namespace OpsPipeline.Core.Configuration;

/// <summary>
/// One label matcher: a plain string is equality, a leading <c>~</c> is an anchored regex. Without anchors of
/// its own the regex must match the whole value (Alertmanager: <c>~orders|payments</c> does not match
/// <c>orders-archive</c>); a pattern that writes its own <c>^</c> or <c>$</c> is taken as written, so the
/// architecture's <c>~^checkout-</c> means "starts with checkout-".
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
            var body = pattern[1..];
            var ownAnchors = body.StartsWith('^') || (body.EndsWith('$') && !body.EndsWith("\\$", StringComparison.Ordinal));
            // A timeout bounds a pathological pattern from a config file.
            _regex = new Regex(ownAnchors ? body : "^(?:" + body + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
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
