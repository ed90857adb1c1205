namespace OpsPipeline.Core.TimeIntervals;

/// <summary>A range of minutes of the local day, <c>[Start, End)</c>: 09:00–17:00 is 540–1020; 24:00 is 1440.</summary>
public sealed record TimeOfDayRange(int StartMinute, int EndMinute);

/// <summary>An inclusive range of weekdays (0 = Sunday), days of the month (negative: from the month's end), months or years.</summary>
public sealed record InclusiveRange(int Begin, int End);

/// <summary>
/// One entry of a named time interval, with Alertmanager's semantics (<c>timeinterval.ContainsTime</c>): every part
/// that is set must hold at the instant, read on the wall clock of <see cref="Location"/>; a part that is not set
/// holds always, so an empty entry holds at every instant.
/// </summary>
public sealed record TimeInterval
{
    public IReadOnlyList<TimeOfDayRange>? Times { get; init; }

    public IReadOnlyList<InclusiveRange>? Weekdays { get; init; }

    public IReadOnlyList<InclusiveRange>? DaysOfMonth { get; init; }

    public IReadOnlyList<InclusiveRange>? Months { get; init; }

    public IReadOnlyList<InclusiveRange>? Years { get; init; }

    /// <summary>The zone whose wall clock the parts are read on (DST included); UTC when none is set.</summary>
    public TimeZoneInfo Location { get; init; } = TimeZoneInfo.Utc;

    public bool Contains(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Location);
        var minute = (local.Hour * 60) + local.Minute;
        return (Times is null || Times.Any(t => minute >= t.StartMinute && minute < t.EndMinute))
            && (Weekdays is null || Weekdays.Any(w => (int)local.DayOfWeek >= w.Begin && (int)local.DayOfWeek <= w.End))
            && (DaysOfMonth is null || DaysOfMonth.Any(d => InDays(d, local.Year, local.Month, local.Day)))
            && (Months is null || Months.Any(m => local.Month >= m.Begin && local.Month <= m.End))
            && (Years is null || Years.Any(y => local.Year >= y.Begin && local.Year <= y.End));
    }

    /// <summary>
    /// The first instant after <paramref name="after"/> at which <see cref="Contains"/> may change: the next start or
    /// end of a time range or the next local midnight, or earlier, the zone's next change of offset (DST) before it.
    /// Between two such instants the wall clock runs evenly, so the answer cannot change.
    /// </summary>
    public DateTimeOffset NextBoundary(DateTimeOffset after)
    {
        var offset = Location.GetUtcOffset(after);
        var local = after.ToOffset(offset);
        var minute = (local.Hour * 60) + local.Minute;
        var next = 1440;
        foreach (var t in Times ?? [])
        {
            next = Math.Min(next, t.StartMinute > minute ? t.StartMinute : next);
            next = Math.Min(next, t.EndMinute > minute ? t.EndMinute : next);
        }

        var candidate = new DateTimeOffset(local.Date.AddMinutes(next), offset);
        return Location.GetUtcOffset(candidate) == offset ? candidate : OffsetChange(after, candidate, offset);
    }

    /// <summary>Alertmanager's day-of-month test: negative days count from the month's end; a range is clamped to the month.</summary>
    private static bool InDays(InclusiveRange range, int year, int month, int day)
    {
        var days = DateTime.DaysInMonth(year, month);
        var begin = range.Begin < 0 ? days + range.Begin + 1 : range.Begin;
        var end = range.End < 0 ? days + range.End + 1 : range.End;
        if (begin > days)
        {
            // Day 31 does not exist in April: the range holds on no day of it.
            return false;
        }

        return day >= Math.Clamp(begin, -days, days) && day <= Math.Clamp(end, -days, days);
    }

    /// <summary>The first whole minute in (<paramref name="from"/>, <paramref name="to"/>] whose offset is not <paramref name="offset"/> (binary search).</summary>
    private DateTimeOffset OffsetChange(DateTimeOffset from, DateTimeOffset to, TimeSpan offset)
    {
        var lo = from.UtcTicks / TimeSpan.TicksPerMinute;
        var hi = to.UtcTicks / TimeSpan.TicksPerMinute;
        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) / 2);
            if (Location.GetUtcOffset(new DateTimeOffset(mid * TimeSpan.TicksPerMinute, TimeSpan.Zero)) == offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return new DateTimeOffset(hi * TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }
}
