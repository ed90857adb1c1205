namespace OpsPipeline.Core.TimeIntervals;

/// <summary>A named time interval of the config (<c>timeIntervals:</c>): it holds when any of its entries holds.</summary>
public sealed record NamedTimeInterval(string Name, IReadOnlyList<TimeInterval> Intervals)
{
    public bool Contains(DateTimeOffset instant) => Intervals.Any(i => i.Contains(instant));

    /// <summary>When this interval next starts or stops holding after <paramref name="from"/> (null: not within the horizon).</summary>
    public DateTimeOffset? NextChange(DateTimeOffset from) => TimeIntervalSearch.NextChange(Contains, Intervals, from);
}

/// <summary>When a condition over time intervals next flips, found by stepping from boundary to boundary.</summary>
public static class TimeIntervalSearch
{
    /// <summary>
    /// How far ahead <see cref="NextChange"/> looks. A state that holds for longer (<c>years: [2030]</c>) is checked again
    /// after this: a year is a few thousand steps, not half a million minutes.
    /// </summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(366);

    /// <summary>
    /// The first instant after <paramref name="from"/> at which <paramref name="holds"/> differs from its value at
    /// <paramref name="from"/>, where <paramref name="holds"/> depends only on <paramref name="parts"/>; null when it
    /// does not change within <see cref="Horizon"/> (or never can: no parts).
    /// </summary>
    public static DateTimeOffset? NextChange(Func<DateTimeOffset, bool> holds, IReadOnlyCollection<TimeInterval> parts, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(holds);
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            return null;
        }

        var now = holds(from);
        var limit = from + Horizon;
        for (var t = from; t <= limit;)
        {
            var at = t;
            t = parts.Min(p => p.NextBoundary(at));
            if (t <= limit && holds(t) != now)
            {
                return t;
            }
        }

        return null;
    }
}
