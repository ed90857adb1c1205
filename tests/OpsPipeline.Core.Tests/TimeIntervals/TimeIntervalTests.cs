using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.TimeIntervals;

namespace OpsPipeline.Core.Tests.TimeIntervals;

/// <summary>
/// The evaluator with Alertmanager's semantics, read from the config as a user writes it: wall-clock times in a zone
/// across DST in Europe/Berlin and America/New_York, month ends, negative days of the month, and 24:00.
/// </summary>
public class TimeIntervalTests
{
    private static NamedTimeInterval Interval(string entry)
    {
        var yaml = $$"""
            timeIntervals:
              - name: t
                timeIntervals:
                  - {{entry}}
            receivers:
              - name: team
                slack: { webhookUrlParameter: /ops/slack/team }
            route:
              receiver: team
            """;
        return Assert.Single(ConfigLoader.Load(yaml, "test.yaml").TimeIntervals);
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Entry, instant (UTC), whether it holds.</summary>
    public static TheoryData<string, string, bool> Instants => new()
    {
        // Berlin business hours: 09:00 CET is 08:00Z in winter, 07:00Z in summer (CEST).
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'], location: Europe/Berlin }", "2026-03-10T08:00:00Z", true },
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'], location: Europe/Berlin }", "2026-03-10T07:59:00Z", false },
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'], location: Europe/Berlin }", "2026-03-30T07:00:00Z", true },
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'], location: Europe/Berlin }", "2026-03-30T15:00:00Z", false },
        // The end is exclusive; Saturday is out.
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'], location: Europe/Berlin }", "2026-03-10T16:00:00Z", false },
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'], location: Europe/Berlin }", "2026-03-14T10:00:00Z", false },
        // New York: 09:00 EST is 14:00Z, 09:00 EDT is 13:00Z (DST from 2026-03-08).
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], location: America/New_York }", "2026-03-06T13:30:00Z", false },
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], location: America/New_York }", "2026-03-09T13:30:00Z", true },
        // 24:00 ends the day: 23:59 is in, midnight is the next day's 00:00.
        { "{ times: [{ startTime: '18:00', endTime: '24:00' }] }", "2026-03-10T23:59:00Z", true },
        { "{ times: [{ startTime: '18:00', endTime: '24:00' }] }", "2026-03-11T00:00:00Z", false },
        // Negative days count from the month's end: -1 is 28 February, 29 February in a leap year, 30 April.
        { "{ daysOfMonth: ['-1'] }", "2026-02-28T12:00:00Z", true },
        { "{ daysOfMonth: ['-1'] }", "2028-02-28T12:00:00Z", false },
        { "{ daysOfMonth: ['-1'] }", "2028-02-29T12:00:00Z", true },
        { "{ daysOfMonth: ['-3:-1'] }", "2026-04-28T12:00:00Z", true },
        { "{ daysOfMonth: ['-3:-1'] }", "2026-04-27T12:00:00Z", false },
        // Day 31 does not exist in April; 25:31 holds to the month's end.
        { "{ daysOfMonth: ['31'] }", "2026-04-30T12:00:00Z", false },
        { "{ daysOfMonth: ['25:31'] }", "2026-04-30T12:00:00Z", true },
        // Days, months and years in the zone's date: 31 Dec 23:30Z is already 1 January in Berlin.
        { "{ months: ['january'], daysOfMonth: ['1'], years: ['2027'], location: Europe/Berlin }", "2026-12-31T23:30:00Z", true },
        { "{ months: ['1:3', 'december'] }", "2026-11-30T12:00:00Z", false },
        { "{ months: ['1:3', 'december'] }", "2026-12-01T00:00:00Z", true },
        { "{ years: ['2025:2026'] }", "2027-01-01T00:00:00Z", false },
        // An empty entry holds always, as in Alertmanager.
        { "{}", "2026-06-01T03:00:00Z", true },
    };

    [Theory]
    [MemberData(nameof(Instants))]
    public void Contains_WhenReadOnTheZonesWallClock_ShouldFollowAlertmanager(string entry, string instant, bool holds) =>
        Assert.Equal(holds, Interval(entry).Contains(Utc(instant)));

    /// <summary>Entry, from (UTC), the next instant its state flips (UTC).</summary>
    public static TheoryData<string, string, string> Changes => new()
    {
        // Berlin springs forward on 2026-03-29 (02:00 CET -> 03:00 CEST): 09:00 on Monday 30 March is 07:00Z.
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'], location: Europe/Berlin }", "2026-03-27T16:30:00Z", "2026-03-30T07:00:00Z" },
        // ... and falls back on 2026-10-25 (03:00 CEST -> 02:00 CET): Monday 26 October 09:00 is 08:00Z.
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'], location: Europe/Berlin }", "2026-10-23T15:30:00Z", "2026-10-26T08:00:00Z" },
        // New York springs forward on 2026-03-08 and falls back on 2026-11-01.
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], location: America/New_York }", "2026-03-07T22:00:00Z", "2026-03-08T13:00:00Z" },
        { "{ times: [{ startTime: '09:00', endTime: '17:00' }], location: America/New_York }", "2026-10-31T22:00:00Z", "2026-11-01T14:00:00Z" },
        // A range inside the skipped hour starts when the clock jumps over it: 02:30 never happens on 2026-03-29 in Berlin.
        { "{ times: [{ startTime: '02:30', endTime: '04:00' }], location: Europe/Berlin }", "2026-03-28T23:00:00Z", "2026-03-29T01:00:00Z" },
        // In the repeated hour (01:00-02:00 EDT then EST on 2026-11-01), 01:30-02:00 holds twice: it ends first at 06:00Z.
        { "{ times: [{ startTime: '01:30', endTime: '02:00' }], location: America/New_York }", "2026-11-01T05:40:00Z", "2026-11-01T06:00:00Z" },
        { "{ times: [{ startTime: '01:30', endTime: '02:00' }], location: America/New_York }", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z" },
        // Last day of the month, through February's end.
        { "{ daysOfMonth: ['-1'] }", "2026-02-10T00:00:00Z", "2026-02-28T00:00:00Z" },
        { "{ daysOfMonth: ['-1'] }", "2026-02-28T10:00:00Z", "2026-03-01T00:00:00Z" },
        // 24:00: the mute lasts to midnight.
        { "{ times: [{ startTime: '18:00', endTime: '24:00' }], location: Europe/Berlin }", "2026-03-10T20:00:00Z", "2026-03-10T23:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void NextChange_WhenAcrossDstAndMonthEnds_ShouldBeTheFirstFlip(string entry, string from, string expected)
    {
        var interval = Interval(entry);

        var next = interval.NextChange(Utc(from));

        Assert.Equal(Utc(expected), next);
        Assert.NotEqual(interval.Contains(Utc(from)), interval.Contains(next!.Value));
        Assert.Equal(interval.Contains(Utc(from)), interval.Contains(next.Value.AddMinutes(-1)));
    }

    [Fact]
    public void NextChange_WhenTheStateHoldsPastTheHorizon_ShouldBeNull()
    {
        var interval = Interval("{ years: ['2030'] }");

        Assert.Null(interval.NextChange(Utc("2026-03-10T00:00:00Z")));
        Assert.Null(Interval("{}").NextChange(Utc("2026-03-10T00:00:00Z")));
    }
}
