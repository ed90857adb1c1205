using System.Security.Cryptography;
using System.Text;

namespace OpsPipeline.Core.Rendering;

/// <summary>
/// The key a channel uses to pair the notifications of one alert (PagerDuty dedup_key: trigger and resolve of
/// one alarm must carry the same value). PagerDuty accepts at most 255 characters.
/// </summary>
public static class DedupKeys
{
    private const int HashHexChars = 64;

    /// <summary>
    /// The alert key itself when it fits in 255 characters; otherwise its first characters (still readable in
    /// PagerDuty), "#", and the hex SHA-256 of the whole key, so distinct long keys stay distinct.
    /// </summary>
    public static string For(string alertKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(alertKey);
        if (alertKey.Length <= ChannelLimits.DedupKeyChars)
        {
            return alertKey;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(alertKey)));
        var prefixLength = ChannelLimits.DedupKeyChars - 1 - HashHexChars;
        if (char.IsHighSurrogate(alertKey[prefixLength - 1]))
        {
            prefixLength--;
        }

        return string.Concat(alertKey.AsSpan(0, prefixLength), "#", hash);
    }
}
