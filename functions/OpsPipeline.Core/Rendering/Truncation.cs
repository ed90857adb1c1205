using System.Text;

namespace OpsPipeline.Core.Rendering;

/// <summary>Cuts text to a channel limit, marking the cut so a reader knows something is missing.</summary>
public static class Truncation
{
    /// <summary>
    /// The one marker appended wherever text is cut. ASCII on purpose: SNS subjects accept printable ASCII only,
    /// and one marker everywhere keeps "was this cut?" a single grep.
    /// </summary>
    public const string Marker = "...[truncated]";

    /// <summary>
    /// At most <paramref name="maxChars"/> UTF-16 code units, marker included. Never splits a surrogate pair
    /// (a half emoji is invalid UTF-16 and the JSON writer rejects it).
    /// </summary>
    public static string ToChars(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, Marker.Length);
        if (text.Length <= maxChars)
        {
            return text;
        }

        return string.Concat(text.AsSpan(0, SafeCut(text, maxChars - Marker.Length)), Marker);
    }

    /// <summary>At most <paramref name="maxBytes"/> bytes of UTF-8, marker included; cuts only between whole characters.</summary>
    public static string ToUtf8Bytes(string text, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, Marker.Length);
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var budget = maxBytes - Encoding.UTF8.GetByteCount(Marker);
        var used = 0;
        var cut = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget)
            {
                break;
            }

            used += rune.Utf8SequenceLength;
            cut += rune.Utf16SequenceLength;
        }

        return string.Concat(text.AsSpan(0, cut), Marker);
    }

    /// <summary>
    /// Slack mrkdwn that is already escaped: like <see cref="ToChars"/>, but never leaves half an entity
    /// (<c>&amp;am</c>) in front of the marker.
    /// </summary>
    internal static string EscapedToChars(string escaped, int maxChars)
    {
        if (escaped.Length <= maxChars)
        {
            return escaped;
        }

        var cut = SafeCut(escaped, maxChars - Marker.Length);
        if (cut == 0)
        {
            return Marker;
        }

        var amp = escaped.LastIndexOf('&', cut - 1, Math.Min(cut, SlackEntityMaxLength));
        if (amp >= 0 && escaped.IndexOf(';', amp, cut - amp) < 0)
        {
            cut = amp;
        }

        return string.Concat(escaped.AsSpan(0, cut), Marker);
    }

    // "&amp;" is the longest entity we produce.
    private const int SlackEntityMaxLength = 5;

    private static int SafeCut(string text, int cut) =>
        cut > 0 && char.IsHighSurrogate(text[cut - 1]) ? cut - 1 : cut;
}
