using System.Globalization;
using OpsPipeline.Core.TimeIntervals;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>
/// Reads timeIntervals: named sets of times, weekdays, days of the month, months and years in a zone, with
/// Alertmanager's field names in our camelCase (<c>time_intervals</c> is <c>timeIntervals</c>, <c>start_time</c> is
/// <c>startTime</c>). Every range and zone is checked here, so an interval that loads is one the evaluator can read.
/// </summary>
internal static class TimeIntervalsReader
{
    private static readonly string[] NamedKeys = ["name", "timeIntervals"];
    private static readonly string[] EntryKeys = ["times", "weekdays", "daysOfMonth", "months", "years", "location"];
    private static readonly string[] TimeKeys = ["startTime", "endTime"];

    public static List<NamedTimeInterval> ReadTimeIntervals(ConfigNodes nodes, YamlNode node, string path)
    {
        var result = new List<NamedTimeInterval>();
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (item, field) in nodes.Items(node, path))
        {
            var f = nodes.ReadFields(item, field, NamedKeys);
            if (f is null)
            {
                continue;
            }

            var name = nodes.Require(f, "name", out var n) ? nodes.ReadString(n, f.Field("name")) ?? string.Empty : string.Empty;
            if (name.Length > 0 && !firstLine.TryAdd(name, n!.Start.Line))
            {
                nodes.Error(n!, f.Field("name"), $"time interval '{name}' is already defined at line {firstLine[name].ToString(CultureInfo.InvariantCulture)}");
            }

            var entries = nodes.Require(f, "timeIntervals", out var e) ? nodes.ReadList(e, f.Field("timeIntervals"), (x, p) => ReadEntry(nodes, x, p)) : [];
            result.Add(new NamedTimeInterval(name, entries));
        }

        return result;
    }

    private static TimeInterval ReadEntry(ConfigNodes nodes, YamlNode node, string path)
    {
        var f = nodes.ReadFields(node, path, EntryKeys);
        if (f is null)
        {
            return new TimeInterval();
        }

        return new TimeInterval
        {
            Times = f.TryGet("times", out var t) ? nodes.ReadList(t, f.Field("times"), (x, p) => ReadTimes(nodes, x, p)).OfType<TimeOfDayRange>().ToList() : null,
            Weekdays = Ranges(nodes, f, "weekdays", TimeIntervalSyntax.Weekdays),
            DaysOfMonth = Ranges(nodes, f, "daysOfMonth", TimeIntervalSyntax.DaysOfMonth),
            Months = Ranges(nodes, f, "months", TimeIntervalSyntax.Months),
            Years = Ranges(nodes, f, "years", TimeIntervalSyntax.Years),
            Location = f.TryGet("location", out var l) ? ReadLocation(nodes, l, f.Field("location")) : TimeZoneInfo.Utc,
        };
    }

    private static TimeOfDayRange? ReadTimes(ConfigNodes nodes, YamlNode node, string path)
    {
        var f = nodes.ReadFields(node, path, TimeKeys);
        if (f is null)
        {
            return null;
        }

        var start = nodes.Require(f, "startTime", out var s) ? Minute(nodes, s, f.Field("startTime"), isEnd: false) : null;
        var end = nodes.Require(f, "endTime", out var e) ? Minute(nodes, e, f.Field("endTime"), isEnd: true) : null;
        if (start is null || end is null)
        {
            return null;
        }

        if (start >= end)
        {
            nodes.Error(e, f.Field("endTime"), "must be later than startTime (the end is exclusive; a range past midnight is two entries, ending at 24:00 and starting at 00:00)");
            return null;
        }

        return new TimeOfDayRange(start.Value, end.Value);
    }

    private static int? Minute(ConfigNodes nodes, YamlNode node, string field, bool isEnd)
    {
        if (nodes.ReadString(node, field) is not { } text)
        {
            return null;
        }

        var minute = TimeIntervalSyntax.Minute(text, isEnd, out var error);
        if (minute is null)
        {
            nodes.Error(node, field, error);
        }

        return minute;
    }

    /// <summary>A list of ranges, each a string like <c>monday:friday</c> or a plain number like <c>-1</c>.</summary>
    private static List<InclusiveRange>? Ranges(ConfigNodes nodes, ConfigNodes.Fields f, string key, RangeParser parse)
    {
        if (!f.TryGet(key, out var node))
        {
            return null;
        }

        var ranges = new List<InclusiveRange>();
        foreach (var (item, field) in nodes.Items(node, f.Field(key)))
        {
            if (nodes.ReadString(item, field) is not { } text)
            {
                continue;
            }

            if (parse(text, out var error) is { } range)
            {
                ranges.Add(range);
            }
            else
            {
                nodes.Error(item, field, error);
            }
        }

        return ranges;
    }

    /// <summary>An IANA zone (Europe/Berlin) or UTC, from the machine's tz database; a zone it lacks is an error, never UTC.</summary>
    private static TimeZoneInfo ReadLocation(ConfigNodes nodes, YamlNode node, string field)
    {
        if (nodes.ReadString(node, field) is not { } id)
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            nodes.Error(node, field, $"unknown time zone '{id}' (an IANA name like Europe/Berlin, America/New_York or UTC)");
            return TimeZoneInfo.Utc;
        }
    }

    private delegate InclusiveRange? RangeParser(string text, out string error);
}
