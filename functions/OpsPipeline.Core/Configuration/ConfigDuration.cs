using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OpsPipeline.Core.Configuration;

/// <summary>Durations as written in the config: <c>30s</c>, <c>5m</c>, <c>4h</c>, <c>3d</c>, <c>2w</c>, <c>1h30m</c>, <c>0s</c> (or <c>0</c>).</summary>
public static partial class ConfigDuration
{
    private static readonly (char Unit, long Seconds)[] Units = [('w', 7 * 86400), ('d', 86400), ('h', 3600), ('m', 60), ('s', 1)];

    /// <summary>Parses a non-negative duration; units in descending order, each at most once (Prometheus style, without ms/y).</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text == "0")
        {
            return true;
        }

        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        long seconds = 0;
        try
        {
            for (var i = 0; i < Units.Length; i++)
            {
                var group = match.Groups[i + 1];
                if (!group.Success)
                {
                    continue;
                }

                if (!long.TryParse(group.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    return false;
                }

                seconds = checked(seconds + checked(n * Units[i].Seconds));
            }

            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException)
        {
            // Digits beyond what a TimeSpan holds are garbage, not a very long duration.
            return false;
        }
    }

    /// <summary>The shortest config spelling of a whole-second duration, e.g. <c>1h30m</c>; sub-second parts are dropped.</summary>
    public static string Format(TimeSpan value)
    {
        var seconds = (long)value.TotalSeconds;
        if (seconds <= 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        foreach (var (unit, size) in Units)
        {
            if (seconds >= size)
            {
                text.Append(CultureInfo.InvariantCulture, $"{seconds / size}{unit}");
                seconds %= size;
            }
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^(?=\d)(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
