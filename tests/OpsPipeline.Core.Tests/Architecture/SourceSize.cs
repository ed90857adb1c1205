using System.Text;
using System.Text.RegularExpressions;

namespace OpsPipeline.Core.Tests.Architecture;

/// <summary>Sizes read from source text: files' line counts and a class's lines of logic.</summary>
internal static partial class SourceSize
{
    /// <summary>Every .cs file under <paramref name="folder"/> (build output left out) longer than <paramref name="maxLines"/>, with its length.</summary>
    public static IReadOnlyList<(string File, int Lines)> FilesLongerThan(string folder, int maxLines) =>
        [.. Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal))
            .Select(f => (File: f, Lines: File.ReadAllLines(Path.Combine(folder, f)).Length))
            .Where(f => f.Lines > maxLines)
            .OrderBy(f => f.File, StringComparer.Ordinal)];

    /// <summary>
    /// Lines of logic in the body of class <paramref name="className"/>: the lines between its opening and closing brace
    /// that, with comments taken out, are not blank, not only braces, parentheses and ; or , (<c>{</c>, <c>});</c>),
    /// not a using directive or namespace line, and not an attribute (<c>[Name(…)]</c> alone on its line). Text in
    /// string and character literals counts as code but its braces do not open or close anything.
    /// </summary>
    public static int LogicLines(string source, string className)
    {
        var code = Mask(source);
        var declaration = Regex.Match(code, $@"\bclass\s+{Regex.Escape(className)}\b");
        if (!declaration.Success)
        {
            throw new ArgumentException($"no class {className} in the source", nameof(source));
        }

        var open = code.IndexOf('{', declaration.Index);
        var depth = 0;
        var close = open;
        for (; close < code.Length; close++)
        {
            depth += code[close] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                break;
            }
        }

        // The lines strictly inside the braces: the rest of the opening brace's line on, up to the closing brace.
        return code[(open + 1)..close].Split('\n').Count(IsLogic);
    }

    private static bool IsLogic(string line)
    {
        var text = line.Trim();
        return text.Length > 0 && !OnlyBraces().IsMatch(text) && !Directive().IsMatch(text) && !Attribute().IsMatch(text);
    }

    [GeneratedRegex(@"^[{}();,]+$")]
    private static partial Regex OnlyBraces();

    [GeneratedRegex(@"^(using\s+(static\s+)?[\w.]+\s*(=\s*[\w.<>, ]+)?;|namespace\s+[\w.]+\s*;?)$")]
    private static partial Regex Directive();

    [GeneratedRegex(@"^\[\s*[A-Z][\w.]*\s*(\(.*\))?\s*(,\s*[A-Z][\w.]*\s*(\(.*\))?\s*)*\]$")]
    private static partial Regex Attribute();

    /// <summary>
    /// The source with comments blanked and the inside of string and character literals (interpolation holes too)
    /// replaced by '_', line breaks kept: what is left of braces is code.
    /// </summary>
    public static string Mask(string source)
    {
        var s = new StringBuilder(source);
        MaskCode(s, 0, untilBrace: false);
        return s.ToString();
    }

    /// <summary>Masks from <paramref name="i"/>; with <paramref name="untilBrace"/>, stops at the '}' closing an interpolation hole and returns its index.</summary>
    private static int MaskCode(StringBuilder s, int i, bool untilBrace)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var n = i + 1 < s.Length ? s[i + 1] : '\0';
            if (c == '/' && n == '/')
            {
                for (; i < s.Length && s[i] != '\n'; i++)
                {
                    s[i] = ' ';
                }
            }
            else if (c == '/' && n == '*')
            {
                var end = s.ToString().IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? s.Length : end + 2;
                Blank(s, i, end, ' ');
                i = end;
            }
            else if (c == '\'')
            {
                var end = i + 1;
                for (; end < s.Length && s[end] != '\'' && s[end] != '\n'; end++)
                {
                    end += s[end] == '\\' ? 1 : 0;
                }

                Blank(s, i + 1, end, '_');
                i = end + 1;
            }
            else if (c == '"' || ((c is '$' or '@') && StringStartsAt(s, i)))
            {
                i = MaskString(s, i);
            }
            else if (untilBrace && c == '{')
            {
                depth++;
                i++;
            }
            else if (untilBrace && c == '}' && depth-- == 0)
            {
                return i;
            }
            else
            {
                i++;
            }
        }

        return i;
    }

    private static bool StringStartsAt(StringBuilder s, int i)
    {
        while (i < s.Length && s[i] is '$' or '@')
        {
            i++;
        }

        return i < s.Length && s[i] == '"';
    }

    /// <summary>Masks the literal whose prefix ($, @) or first quote is at <paramref name="i"/>; returns the index after it.</summary>
    private static int MaskString(StringBuilder s, int i)
    {
        var interpolated = false;
        var verbatim = false;
        for (; s[i] != '"'; i++)
        {
            interpolated |= s[i] == '$';
            verbatim |= s[i] == '@';
        }

        var quotes = 0;
        while (i + quotes < s.Length && s[i + quotes] == '"')
        {
            quotes++;
        }

        if (quotes >= 3)
        {
            // A raw literal ends at the same run of quotes.
            var end = s.ToString().IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal);
            end = end < 0 ? s.Length : end;
            Blank(s, i + quotes, end, '_');
            return Math.Min(s.Length, end + quotes);
        }

        if (quotes == 2)
        {
            return i + 2; // ""
        }

        var j = i + 1;
        while (j < s.Length)
        {
            var c = s[j];
            if (c == '\\' && !verbatim)
            {
                Blank(s, j, Math.Min(s.Length, j + 2), '_');
                j += 2;
            }
            else if (c == '"' && verbatim && j + 1 < s.Length && s[j + 1] == '"')
            {
                Blank(s, j, j + 2, '_');
                j += 2;
            }
            else if (c == '"' || (c == '\n' && !verbatim))
            {
                return j + 1;
            }
            else if (interpolated && c == '{' && j + 1 < s.Length && s[j + 1] != '{')
            {
                var close = MaskCode(s, j + 1, untilBrace: true);
                Blank(s, j, Math.Min(s.Length, close + 1), '_');
                j = close + 1;
            }
            else
            {
                var width = c == '{' && interpolated ? 2 : 1; // {{ is a brace of the text
                Blank(s, j, j + width, '_');
                j += width;
            }
        }

        return j;
    }

    private static void Blank(StringBuilder s, int from, int to, char with)
    {
        for (var k = from; k < Math.Min(to, s.Length); k++)
        {
            if (s[k] != '\n')
            {
                s[k] = with;
            }
        }
    }
}
