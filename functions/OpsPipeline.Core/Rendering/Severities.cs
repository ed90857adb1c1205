namespace OpsPipeline.Core.Rendering;

/// <summary>
/// The one severity scale every channel shows: PagerDuty's four levels, critical &gt; error &gt; warning &gt; info.
/// A severity label maps onto it case-insensitively (high = error, medium = warning, low = info); anything else
/// is a warning, the same default an alert without a severity label gets.
/// </summary>
public static class Severities
{
    public const string Critical = "critical";

    public const string Error = "error";

    public const string Warning = "warning";

    public const string Info = "info";

    /// <summary>The level on our scale for a severity label: critical, error, warning or info.</summary>
    public static string Normalize(string? severity) => severity?.Trim().ToLowerInvariant() switch
    {
        "critical" => Critical,
        "high" or "error" => Error,
        "warning" or "medium" => Warning,
        "low" or "info" => Info,
        _ => Warning,
    };

    /// <summary>Higher is worse: critical 3, error 2, warning 1, info 0.</summary>
    public static int Rank(string? severity) => Normalize(severity) switch
    {
        Critical => 3,
        Error => 2,
        Warning => 1,
        _ => 0,
    };

    /// <summary>
    /// The worst of <paramref name="severities"/> on our scale. The worst of none is info, the bottom of the
    /// scale, so adding an alert to a group can only raise its severity.
    /// </summary>
    public static string Worst(IEnumerable<string?> severities)
    {
        ArgumentNullException.ThrowIfNull(severities);
        var worst = Info;
        foreach (var severity in severities)
        {
            var level = Normalize(severity);
            if (Rank(level) > Rank(worst))
            {
                worst = level;
            }
        }

        return worst;
    }
}
