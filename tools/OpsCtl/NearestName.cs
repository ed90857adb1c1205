namespace OpsCtl;

/// <summary>The valid name a mistyped one was most likely meant to be, by edit distance (a swap of two letters counts one).</summary>
public static class NearestName
{
    /// <summary>The candidate closest to <paramref name="given"/>, or null when none is close enough to be a typo of it.</summary>
    public static string? Of(string given, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            var d = Distance(given, candidate);
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }

        // A prefix of a single name is a typo of it too (--exp for --explain); otherwise at most a third of the letters wrong.
        var prefixed = candidates.Where(c => c.StartsWith(given, StringComparison.Ordinal) && given.TrimStart('-').Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (bestDistance > 0 && prefixed.Count == 1)
        {
            return prefixed[0];
        }

        return best is not null && bestDistance <= Math.Max(2, given.TrimStart('-').Length / 3) ? best : null;
    }

    /// <summary>For a path that does not exist: the nearest existing entry of its folder, as the user would type it.</summary>
    public static string? OfPath(string path)
    {
        var folder = Path.GetDirectoryName(path);
        var lookIn = string.IsNullOrEmpty(folder) ? "." : folder;
        if (!Directory.Exists(lookIn))
        {
            return null;
        }

        var names = Directory.EnumerateFileSystemEntries(lookIn).Select(Path.GetFileName).OfType<string>();
        return Of(Path.GetFileName(path), names) is { } name ? (string.IsNullOrEmpty(folder) ? name : Path.Combine(folder, name)) : null;
    }

    /// <summary>Optimal string alignment distance (the one the config reader's hints use).</summary>
    public static int Distance(string a, string b) => OpsPipeline.Core.Configuration.EditDistance.Between(a, b);
}
