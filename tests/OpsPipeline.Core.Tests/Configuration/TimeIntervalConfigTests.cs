using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Tests.Configuration;

/// <summary>`config validate` on time intervals: every name, range and zone is checked, at its line.</summary>
public class TimeIntervalConfigTests
{
    private const string Head = """
        receivers:
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
        timeIntervals:
          - name: out-of-hours
            timeIntervals:

        """;

    private const string Tail = """
        route:
          receiver: team
          routes:
            - match: { severity: warning }
              muteTimeIntervals: [out-of-hours]

        """;

    /// <summary>Entry lines (from line 7), the line of the error, its field path, and a fragment of its message.</summary>
    public static TheoryData<string, int, string, string> BrokenConfigs => new()
    {
        { "      - location: Mars/Olympus\n", 7, "timeIntervals[0].timeIntervals[0].location", "unknown time zone 'Mars/Olympus'" },
        { "      - weekdays: ['monday:fryday']\n", 7, "timeIntervals[0].timeIntervals[0].weekdays[0]", "'fryday' is not a valid weekday" },
        { "      - weekdays: ['saturday:sunday']\n", 7, "timeIntervals[0].timeIntervals[0].weekdays[0]", "the range ends before it starts" },
        { "      - daysOfMonth: ['0']\n", 7, "timeIntervals[0].timeIntervals[0].daysOfMonth[0]", "'0' is not a valid day of the month" },
        { "      - daysOfMonth: ['-1:5']\n", 7, "timeIntervals[0].timeIntervals[0].daysOfMonth[0]", "the end day must be negative" },
        { "      - daysOfMonth: ['20:10']\n", 7, "timeIntervals[0].timeIntervals[0].daysOfMonth[0]", "end day 10 is always before start day 20" },
        { "      - months: ['march:january']\n", 7, "timeIntervals[0].timeIntervals[0].months[0]", "the range ends before it starts" },
        { "      - months: ['13']\n", 7, "timeIntervals[0].timeIntervals[0].months[0]", "'13' is not a valid month" },
        { "      - years: ['2027:2026']\n", 7, "timeIntervals[0].timeIntervals[0].years[0]", "the range ends before it starts" },
        { "      - times:\n          - startTime: '9:00'\n            endTime: '17:00'\n", 8, "timeIntervals[0].timeIntervals[0].times[0].startTime", "must be a time HH:MM" },
        { "      - times:\n          - startTime: '24:00'\n            endTime: '24:00'\n", 8, "timeIntervals[0].timeIntervals[0].times[0].startTime", "24:00 can only end a range" },
        { "      - times:\n          - startTime: '17:00'\n            endTime: '09:00'\n", 9, "timeIntervals[0].timeIntervals[0].times[0].endTime", "must be later than startTime" },
        { "      - times:\n          - startTime: '09:00'\n", 8, "timeIntervals[0].timeIntervals[0].times[0].endTime", "is required" },
        { "      - time: []\n", 7, "timeIntervals[0].timeIntervals[0].time", "did you mean 'times'?" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Load_WhenTimeIntervalBroken_ShouldReportLineAndField(string entry, int line, string field, string fragment) =>
        AssertError(Head + entry + Tail, line, field, fragment);

    [Fact]
    public void Load_WhenARouteNamesAnUnknownInterval_ShouldReportItsLine() =>
        AssertError(Head + "      - weekdays: [saturday, sunday]\n" + Tail.Replace("[out-of-hours]", "[out-of-hours, weekend]", StringComparison.Ordinal), 12, "route.routes[0].muteTimeIntervals[1]", "unknown time interval 'weekend' (defined: out-of-hours)");

    [Fact]
    public void Load_WhenTwoIntervalsShareAName_ShouldReportTheSecond() =>
        AssertError(Head + "      - weekdays: [saturday]\n  - name: out-of-hours\n    timeIntervals: [{}]\n" + Tail, 8, "timeIntervals[1].name", "time interval 'out-of-hours' is already defined at line 5");

    [Fact]
    public void Load_WhenTheRootRouteHasTimeIntervals_ShouldRejectThemAsAlertmanagerDoes() =>
        AssertError(Head + "      - weekdays: [saturday]\nroute:\n  receiver: team\n  activeTimeIntervals: [out-of-hours]\n", 10, "route.activeTimeIntervals", "the root route cannot have activeTimeIntervals");

    [Fact]
    public void Load_WhenIntervalsAreValid_ShouldReadThemAndLeaveChildRoutesTheirOwn()
    {
        var yaml = Head + """
                  - times: [{ startTime: '00:00', endTime: '09:00' }, { startTime: '17:00', endTime: '24:00' }]
                    weekdays: [monday:friday]
                    location: Europe/Berlin
                  - weekdays: [saturday, sunday]
                    daysOfMonth: [1, '-1', '10:15']
                    months: [january:march, 12]
                    years: ['2026:2030']
            route:
              receiver: team
              routes:
                - match: { severity: warning }
                  muteTimeIntervals: [out-of-hours]
                  routes:
                    - match: { service: billing }
            """;

        var config = ConfigLoader.Load(yaml, "good.yaml");

        var interval = Assert.Single(config.TimeIntervals);
        Assert.Equal(("out-of-hours", 2), (interval.Name, interval.Intervals.Count));
        Assert.Equal("Europe/Berlin", interval.Intervals[0].Location.Id);
        Assert.Equal(3, interval.Intervals[1].DaysOfMonth!.Count);
        var routes = Core.Routing.RouteTree.From(config).All.ToDictionary(r => r.Id);
        Assert.Equal(["out-of-hours"], routes["root/0"].MuteTimeIntervals);
        // Not inherited: Alertmanager's NewRoute takes a route's time intervals from its own config only.
        Assert.Empty(routes["root/0/0"].MuteTimeIntervals);
    }

    /// <summary>The check every broken config gets: the error's line, field and message, as `config validate` prints it.</summary>
    private static void AssertError(string yaml, int line, string field, string fragment) =>
        new ConfigValidationTests().Load_WhenConfigBroken_ShouldReportLineAndField(yaml, line, field, fragment);
}
