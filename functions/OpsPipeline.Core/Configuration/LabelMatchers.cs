using System.Text;
using System.Text.RegularExpressions;

namespace OpsPipeline.Core.Configuration;

/// <summary>How a matcher compares a label's value: Alertmanager's <c>=</c>, <c>!=</c>, <c>=~</c> and <c>!~</c>.</summary>
public enum MatchOperator
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// One label matcher. In a <c>match:</c> map a plain string is equality and a leading <c>~</c> a regex; in Alertmanager
/// syntax (<see cref="Parse"/>) <c>label=value</c>, <c>label!=value</c>, <c>label=~regex</c>, <c>label!~regex</c>. A missing
/// label has the value "". Without anchors of its own a regex must match the whole value (Alertmanager:
/// <c>~orders|payments</c> does not match <c>orders-archive</c>); a pattern that writes its own <c>^</c> or <c>$</c> is taken
/// as written, so the architecture's <c>~^checkout-</c> means "starts with checkout-".
/// </summary>
public sealed class LabelMatcher
{
    private static readonly string[] Operators = ["!=", "=~", "!~", "="];

    private readonly Regex? _regex;

    /// <summary>The <c>match:</c> map form: a plain string is equality, a leading <c>~</c> a regex.</summary>
    public LabelMatcher(string label, string pattern)
        : this(label, pattern.StartsWith('~') ? MatchOperator.Regex : MatchOperator.Equal, pattern.StartsWith('~') ? pattern[1..] : pattern)
    {
    }

    /// <summary>A matcher with an explicit operator; throws <see cref="ArgumentException"/> for a regex that does not compile.</summary>
    public LabelMatcher(string label, MatchOperator op, string value)
    {
        Label = label;
        Operator = op;
        Value = value;
        if (op is MatchOperator.Regex or MatchOperator.NotRegex)
        {
            var ownAnchors = value.StartsWith('^') || (value.EndsWith('$') && !value.EndsWith("\\$", StringComparison.Ordinal));
            // A timeout bounds a pathological pattern from a config file.
            _regex = new Regex(ownAnchors ? value : "^(?:" + value + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
    }

    public string Label { get; }

    public MatchOperator Operator { get; }

    /// <summary>The value or the regex, without its operator.</summary>
    public string Value { get; }

    /// <summary>The matcher in the <c>match:</c> map form (<c>~</c> for a regex); null for <c>!=</c> and <c>!~</c>, which that form cannot say.</summary>
    public string? Pattern => Operator switch
    {
        MatchOperator.Equal => Value,
        MatchOperator.Regex => "~" + Value,
        _ => null,
    };

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var value = labels.TryGetValue(Label, out var v) ? v : string.Empty;
        return Operator switch
        {
            MatchOperator.Equal => string.Equals(value, Value, StringComparison.Ordinal),
            MatchOperator.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
            MatchOperator.Regex => _regex!.IsMatch(value),
            _ => !_regex!.IsMatch(value),
        };
    }

    /// <summary>
    /// Reads one matcher in Alertmanager syntax: a label name (letters, digits, <c>_</c>, <c>.</c>, <c>-</c>, <c>:</c>, <c>/</c>),
    /// an operator, and a value, plain or in double quotes (<c>\"</c> and <c>\\</c> escaped). Spaces around the operator are
    /// allowed. Throws <see cref="FormatException"/> saying what is wrong at which character (1-based): never a label
    /// named <c>service!</c>.
    /// </summary>
    public static LabelMatcher Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        var start = i;
        while (i < text.Length && IsLabelChar(text[i]))
        {
            i++;
        }

        if (i == start)
        {
            throw new FormatException(i < text.Length ? $"'{text}': character {i + 1} ('{text[i]}') cannot start a label name" : $"'{text}': no label name");
        }

        var label = text[start..i];
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0)
            ?? throw new FormatException(i < text.Length
                ? $"'{text}': character {i + 1} ('{text[i]}') after label '{label}' is not one of the operators =, !=, =~, !~"
                : $"'{text}': label '{label}' needs an operator (=, !=, =~ or !~) and a value");
        i += op.Length;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        var value = ReadValue(text, i);
        var kind = op switch { "=" => MatchOperator.Equal, "!=" => MatchOperator.NotEqual, "=~" => MatchOperator.Regex, _ => MatchOperator.NotRegex };
        try
        {
            return new LabelMatcher(label, kind, value);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"'{text}': invalid regular expression '{value}': {e.Message}", e);
        }
    }

    /// <summary>Alertmanager syntax: <c>service=checkout</c>, <c>alarmName=~^checkout-</c>, <c>env!~"prod|staging"</c>.</summary>
    public override string ToString() => $"{Label}{Operator switch { MatchOperator.Equal => "=", MatchOperator.NotEqual => "!=", MatchOperator.Regex => "=~", _ => "!~" }}{Value}";

    private static bool IsLabelChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or ':' or '/';

    private static string ReadValue(string text, int i)
    {
        if (i >= text.Length || text[i] != '"')
        {
            return text[i..].TrimEnd();
        }

        var value = new StringBuilder();
        for (var j = i + 1; j < text.Length; j++)
        {
            var c = text[j];
            if (c == '\\' && j + 1 < text.Length)
            {
                value.Append(text[++j]);
            }
            else if (c == '"')
            {
                if (text[(j + 1)..].Trim().Length > 0)
                {
                    throw new FormatException($"'{text}': character {j + 2}: nothing may follow the quoted value");
                }

                return value.ToString();
            }
            else
            {
                value.Append(c);
            }
        }

        throw new FormatException($"'{text}': the value quoted at character {i + 1} has no closing quote");
    }
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

    /// <summary>Both sets: what matches both.</summary>
    public LabelMatchers And(LabelMatchers other) => other.Items.Count == 0 ? this : Items.Count == 0 ? other : new([.. Items, .. other.Items]);

    public override string ToString() => "{" + string.Join(", ", Items) + "}";
}
