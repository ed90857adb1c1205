using System.Text;

namespace OpsPipeline.Core.Notifiers.Teams;

/// <summary>
/// Untrusted text made inert in an Adaptive Card TextBlock, whose text is a Markdown subset (bold, italic, lists,
/// links) plus the {{DATE()}} and {{TIME()}} functions: every character that could open markup is backslash-escaped,
/// and so are list markers at the start of a line. HTML is not rendered by Teams, but a '&lt;' could open an autolink.
/// </summary>
internal static class TeamsText
{
    /// <summary>Escapes text already cleaned by <see cref="Rendering.UntrustedText.Clean"/> (or OneLine).</summary>
    public static string Escape(string cleaned)
    {
        var sb = new StringBuilder(cleaned.Length + 16);
        var lineStart = true;
        for (var i = 0; i < cleaned.Length; i++)
        {
            var c = cleaned[i];
            if (lineStart && c == ' ')
            {
                sb.Append(c);
                continue;
            }

            if (lineStart && c is '-' or '+' or '#' or '=')
            {
                sb.Append('\\').Append(c);
                lineStart = false;
                continue;
            }

            if (lineStart && char.IsAsciiDigit(c))
            {
                // "1. item" or "1) item" would start a numbered list: escape the mark after the digits.
                var end = i;
                while (end < cleaned.Length && char.IsAsciiDigit(cleaned[end]))
                {
                    end++;
                }

                sb.Append(cleaned, i, end - i);
                if (end < cleaned.Length && cleaned[end] is '.' or ')')
                {
                    sb.Append('\\').Append(cleaned[end]);
                    end++;
                }

                i = end - 1;
                lineStart = false;
                continue;
            }

            if (c is '\\' or '*' or '_' or '`' or '[' or ']' or '<' or '>' or '{' or '}' or '~' or '|')
            {
                sb.Append('\\');
            }

            sb.Append(c);
            lineStart = c == '\n';
        }

        return sb.ToString();
    }

    /// <summary>A URL (from <see cref="Rendering.UntrustedText.WebUrl"/>) safe inside a Markdown link's parentheses.</summary>
    public static string LinkTarget(string webUrl) =>
        webUrl.Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal);
}
