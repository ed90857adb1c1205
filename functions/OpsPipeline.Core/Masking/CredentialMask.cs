using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace OpsPipeline.Core.Masking;

/// <summary>
/// Masks what looks like a credential in free text (alarm descriptions, state reasons, DLQ bodies) as
/// <c>[masked &lt;kind&gt;]</c>, keeping the text around it: people paste keys, webhook URLs and passwords into
/// descriptions by mistake, and every page, log line and parked event would repeat them.
/// </summary>
public static partial class CredentialMask
{
    /// <summary>What a masked credential is replaced with is <c>[masked &lt;kind&gt;]</c>; a value starting so is already masked.</summary>
    public const string MarkerStart = "[masked ";

    /// <summary>
    /// Every credential pattern contains one of these (case-insensitively): one vectorized search decides, and text
    /// with none of them (nearly all alarm text) never meets a regex.
    /// </summary>
    private static readonly SearchValues<string> Hints = SearchValues.Create(
        [
            "akia", "asia", "xox", "xapp-", "hooks.slack", "pagerduty.com/", "routing", "integration_key", "integration-key",
            "integrationkey", "service_key", "service-key", "servicekey", "password", "passwd", "passphrase", "secret",
            "token", "api_key", "api-key", "apikey", "bearer", "authorization", "@",
        ],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <paramref name="text"/> with every credential replaced by <c>[masked &lt;kind&gt;]</c>; the same string when there is
    /// none. Masking masked text changes nothing. Never throws: text too hostile to scan in time is masked whole.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Mask(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.AsSpan().ContainsAny(Hints))
        {
            return text;
        }

        try
        {
            return Credential().Replace(text, Replacement);
        }
        catch (RegexMatchTimeoutException)
        {
            // Fail closed: a page without this text is better than a page with a key in it.
            return $"{MarkerStart}text] ({text.Length} characters not shown: too slow to scan for credentials)";
        }
    }

    private static string Replacement(Match m)
    {
        foreach (var (group, kind) in Values)
        {
            var value = m.Groups[group];
            if (value.Success)
            {
                // Keep what surrounds the value (a key name, a separator, a quote) so the text still reads.
                var start = value.Index - m.Index;
                return string.Concat(m.ValueSpan[..start], $"{MarkerStart}{kind ?? KindOf(m)}]", m.ValueSpan[(start + value.Length)..]);
            }
        }

        return m.Value; // unreachable: every alternative captures a value
    }

    /// <summary>The value group of each alternative of <see cref="Credential"/> and its kind (null: from the key's name).</summary>
    private static readonly (string Group, string? Kind)[] Values =
    [
        ("slackurl", "slack-webhook-url"),
        ("pdurl", "pagerduty-integration-url"),
        ("urlpw", "password"),
        ("awssecret", "aws-secret-access-key"),
        ("pdkey", "pagerduty-key"),
        ("auth", null),
        ("bearer", "bearer-token"),
        ("value", null),
        ("awskey", "aws-access-key-id"),
        ("slacktoken", "slack-token"),
    ];

    private static string KindOf(Match m)
    {
        if (m.Groups["auth"].Success)
        {
            return m.Groups["scheme"].Value.Equals("bearer", StringComparison.OrdinalIgnoreCase) ? "bearer-token" : "authorization";
        }

        var word = m.Groups["word"].Value.ToLowerInvariant();
        return word switch
        {
            "password" or "passwd" or "passphrase" => "password",
            "secret" => "secret",
            "token" => "token",
            _ => "api-key",
        };
    }

    // One pass, leftmost match first; where two alternatives start at the same place the more specific one is
    // listed first (a 40-character aws_secret_access_key before the generic secret=value). Boundaries are
    // lookbehinds on letters and digits, so AKIA… inside a longer word, "Tokens: 5" or "ThrottledTokens=3" stay.
    // A value already starting "[masked " is never masked again. A key name (db_password, X-Api-Key, accessToken)
    // starts only where a name can start, its parts are atomic and bounded (8 of 40): each start costs a bounded
    // scan, so the pass stays linear in the text whatever it holds. The timeout is a backstop, not a budget: a
    // hostile 175K-character text scans in about 100 ms on an idle core, and at 200 ms a loaded machine (CI on two
    // cores) masked it whole, so a second bounds it (Decide's function timeout is 10 s).
    [GeneratedRegex(
        """
        (?<slackurl>(?:https?://)?hooks\.slack(?:-gov)?\.com/(?:services|triggers|workflows)/[A-Za-z0-9/_%~-]+)
        | (?<pdurl>https?://events\.(?:eu\.)?pagerduty\.com/(?:integration|x-ere)/[A-Za-z0-9]{20,}[A-Za-z0-9/_%~-]*)
        | (?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@"'<>\[\]]*:(?!\[masked\ )(?<urlpw>[^\s/?#"'<>\[\]]+)@
        | (?<![A-Za-z0-9])(?i:aws_?secret_?access_?key|secret_?access_?key)(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["'])?(?<awssecret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])
        | (?<![A-Za-z0-9])(?i:routing[_-]?key|integration[_-]?key|service[_-]?key)(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["'])?(?<pdkey>[A-Za-z0-9]{32})(?![A-Za-z0-9])
        | (?<![A-Za-z0-9])(?i:authorization)(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["'])?(?>(?:(?<scheme>(?i:bearer|basic|token|digest))[ \t]+)?)(?!\[masked\ )(?<auth>[^\s"'\\<>,;]+)
        | (?<![A-Za-z0-9])(?i:bearer)[ \t]+(?<bearer>(?=[A-Za-z._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{16,}|[A-Za-z0-9._~+/=-]{32,})
        | (?<![A-Za-z0-9_.-])-{0,2}(?:(?>[A-Za-z0-9]{1,40})[_.-]|[A-Z]?(?>[a-z0-9]{1,40})(?=[A-Z])){0,8}(?<word>(?i:password|passwd|passphrase|secret|token|api[_-]?key))(?:[_-](?>[A-Za-z0-9]{1,40})){0,8}
            (?:\\?["'])?[ \t]*[:=][ \t]*(?!\\?["']?\[masked\ )
            (?:\\?"(?<value>[^"\\\r\n]+)(?:\\?")?|'(?<value>[^'\r\n]+)'?|(?<value>[^\s"'\\<>,;&)\]}]+))
        | (?<![A-Za-z0-9])(?<awskey>(?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])
        | (?<![A-Za-z0-9])(?<slacktoken>xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]{8,}|xapp-[0-9]-[A-Za-z0-9-]{8,})
        """,
        RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 1000)]
    private static partial Regex Credential();
}
