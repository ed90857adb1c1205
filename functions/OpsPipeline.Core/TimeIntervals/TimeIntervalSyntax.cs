using System.Globalization;

namespace OpsPipeline.Core.TimeIntervals;

/// <summary>
/// Reads the parts of a time interval as Alertmanager writes them: <c>HH:MM</c> times (end exclusive, <c>24:00</c>
/// allowed as an end), and <c>a:b</c> or single-value ranges of weekdays, days of the month, months and years. Each
/// returns the value or the reason it is invalid, for the config reader to report at the right line.
/// </summary>
public static class TimeIntervalSyntax
{
    private static readonly string[] WeekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
    private static readonly string[] MonthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    /// <summary>Minutes into the day of <c>HH:MM</c> (00:00–23:59, and 24:00 only as an end).</summary>
    public static int? Minute(string text, bool isEnd, out string error)
    {
        error = string.Empty;
        if (text.Length != 5 || text[2] != ':' || !int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m))
        {
            error = $"must be a time HH:MM like 09:00, got '{text}'";
            return null;
        }

        if (h == 24 && m == 0)
        {
            error = isEnd ? string.Empty : "24:00 can only end a range: the day starts at 00:00";
            return isEnd ? 1440 : null;
        }

        if (h > 23 || m > 59)
        {
            error = $"'{text}' is not a time of day (00:00 to 23:59, or 24:00 as an end)";
            return null;
        }

        return (h * 60) + m;
    }

    /// <summary><c>monday:friday</c> or <c>saturday</c>; 0 is Sunday; a range may not wrap past Saturday.</summary>
    public static InclusiveRange? Weekdays(string text, out string error) =>
        Range(text, "weekday", s => Array.IndexOf(WeekdayNames, s) is var i and >= 0 ? i : null, out error, "weekday ranges run from Sunday to Saturday; write 'saturday:sunday' as two entries 'saturday' and 'sunday'");

    /// <summary><c>1:15</c>, <c>-1</c> (the month's last day) or <c>-7:-1</c>; 1 to 31 or -31 to -1.</summary>
    public static InclusiveRange? DaysOfMonth(string text, out string error)
    {
        var range = Range(text, "day of the month", s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d) && d is >= -31 and <= 31 and not 0 ? d : null, out error, null, ordered: false);
        if (range is null)
        {
            return null;
        }

        if (range.Begin < 0 && range.End > 0)
        {
            error = $"'{text}': the end day must be negative when the start day is";
            return null;
        }

        // As Alertmanager: a month has at least 28 days, so a range that is empty even then is a mistake.
        if ((range.Begin < 0 ? 28 + range.Begin : range.Begin) > (range.End < 0 ? 28 + range.End : range.End))
        {
            error = $"'{text}': end day {range.End.ToString(CultureInfo.InvariantCulture)} is always before start day {range.Begin.ToString(CultureInfo.InvariantCulture)}";
            return null;
        }

        return range;
    }

    /// <summary><c>january:march</c>, <c>12</c> or <c>1:3</c>.</summary>
    public static InclusiveRange? Months(string text, out string error) =>
        Range(text, "month", s => Array.IndexOf(MonthNames, s) is var i and >= 0 ? i + 1 : int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= 12 ? m : null, out error, null);

    /// <summary><c>2026</c> or <c>2026:2028</c>.</summary>
    public static InclusiveRange? Years(string text, out string error) =>
        Range(text, "year", s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 1 and <= 9999 ? y : null, out error, null);

    private static InclusiveRange? Range(string text, string what, Func<string, int?> member, out string error, string? orderHint, bool ordered = true)
    {
        error = string.Empty;
        var parts = text.ToLowerInvariant().Split(':');
        if (parts.Length > 2)
        {
            error = $"'{text}' is not a {what} or a range {what}:{what}";
            return null;
        }

        var begin = member(parts[0].Trim());
        var end = parts.Length == 2 ? member(parts[1].Trim()) : begin;
        if (begin is null || end is null)
        {
            error = $"'{(begin is null ? parts[0] : parts[^1])}' is not a valid {what}";
            return null;
        }

        if (ordered && begin > end)
        {
            error = $"'{text}': the range ends before it starts" + (orderHint is null ? string.Empty : $" ({orderHint})");
            return null;
        }

        return new InclusiveRange(begin.Value, end.Value);
    }
}
