using System.Buffers;
using System.Text;

namespace OpsPipeline.Core.Rendering;

/// <summary>
/// Text that came from outside (alarm names, descriptions, state reasons, tags, message bodies), made safe to put
/// in front of a human: no control characters, no direction overrides, and for Slack no live mentions or links.
/// </summary>
public static class UntrustedText
{
    /// <summary>
    /// Removes control characters except <c>\n</c> and <c>\t</c> (so <c>\r\n</c> becomes <c>\n</c>), Unicode
    /// direction overrides (they can make a URL read backwards), and replaces lone surrogates with U+FFFD.
    /// </summary>
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (!NeedsCleaning(text))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                sb.Append('\uFFFD');
            }
            else if (!IsRemoved(c))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary><see cref="Clean"/>, then tabs and line breaks become single spaces: for headers, fields and subjects.</summary>
    public static string OneLine(string? text)
    {
        var clean = Clean(text);
        if (clean.AsSpan().IndexOfAny('\n', '\t') < 0)
        {
            return clean;
        }

        var sb = new StringBuilder(clean.Length);
        foreach (var c in clean)
        {
            var mapped = c is '\n' or '\t' ? ' ' : c;
            if (mapped == ' ' && sb.Length > 0 && sb[^1] == ' ')
            {
                continue;
            }

            sb.Append(mapped);
        }

        return sb.ToString().Trim();
    }

    /// <summary>
    /// Escapes Slack's three control characters (&amp; &lt; &gt;) so <c>&lt;!channel&gt;</c>, <c>&lt;@U123&gt;</c>
    /// or <c>&lt;https://evil|ok&gt;</c> show as text instead of pinging or disguising a link. Input must be cleaned.
    /// </summary>
    public static string EscapeSlack(string cleaned)
    {
        ArgumentNullException.ThrowIfNull(cleaned);
        if (cleaned.AsSpan().IndexOfAny('&', '<', '>') < 0)
        {
            return cleaned;
        }

        return cleaned.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
    }

    /// <summary>
    /// The link target when <paramref name="href"/> is an absolute http(s) URL, otherwise null (a <c>javascript:</c>
    /// or relative link is shown as text, never as a link). A URL that carries or is a credential (a Slack or
    /// PagerDuty webhook, a <c>token=</c> parameter, a user:password@) is never a link either: a click would use it,
    /// and a link is where a reader's eye and a chat unfurler go first.
    /// </summary>
    public static string? WebUrl(string? href)
    {
        var clean = Clean(href).Trim();
        if (clean.Length == 0 || clean.AsSpan().IndexOfAny('\n', '\t') >= 0 || clean.AsSpan().ContainsAny(CredentialUrlParts))
        {
            return null;
        }

        return Uri.TryCreate(clean, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.UserInfo.Length == 0
            ? clean
            : null;
    }

    /// <summary>Parts of a URL that make it a credential rather than a page (see <see cref="WebUrl"/>).</summary>
    private static readonly SearchValues<string> CredentialUrlParts = SearchValues.Create(
        ["hooks.slack.com", "hooks.slack-gov.com", "events.pagerduty.com", "events.eu.pagerduty.com", "token="],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A URL for the target part of a Slack <c>&lt;url|text&gt;</c> link: characters that would end or split the
    /// link are percent-encoded, <c>&amp;</c> is escaped as Slack requires.
    /// </summary>
    internal static string SlackUrl(string webUrl) =>
        webUrl.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "%3C", StringComparison.Ordinal)
            .Replace(">", "%3E", StringComparison.Ordinal)
            .Replace("|", "%7C", StringComparison.Ordinal)
            .Replace(" ", "%20", StringComparison.Ordinal);

    /// <summary>Printable ASCII only (what SNS accepts in a subject): other characters become '?', whitespace runs one space.</summary>
    internal static string PrintableAscii(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            char mapped;
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
            {
                mapped = ' ';
            }
            else if (rune.Value is >= 0x21 and <= 0x7E)
            {
                mapped = (char)rune.Value;
            }
            else
            {
                mapped = '?';
            }

            if (mapped == ' ' && (sb.Length == 0 || sb[^1] == ' '))
            {
                continue;
            }

            sb.Append(mapped);
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>One vectorized search for anything <see cref="Clean"/> would change (nearly all text needs nothing).</summary>
    private static bool NeedsCleaning(string text) => text.AsSpan().ContainsAny(RemovedOrSurrogate);

    /// <summary>Every char <see cref="IsRemoved"/> names, and the surrogates (checked for pairing in <see cref="Clean"/>).</summary>
    private static readonly SearchValues<char> RemovedOrSurrogate = SearchValues.Create(Ranges(
        ('\u0000', '\u0008'), ('\u000B', '\u001F'), ('\u007F', '\u009F'), ('\u202A', '\u202E'), ('\u2066', '\u2069'), ('\uD800', '\uDFFF')));

    private static string Ranges(params (char First, char Last)[] ranges)
    {
        var chars = new StringBuilder();
        foreach (var (first, last) in ranges)
        {
            for (var c = first; c <= last; c++)
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
    }

    private static bool IsRemoved(char c) =>
        (char.IsControl(c) && c != '\n' && c != '\t')
        || c is >= '\u202A' and <= '\u202E' // embeddings and overrides
        || c is >= '\u2066' and <= '\u2069'; // isolates
}
