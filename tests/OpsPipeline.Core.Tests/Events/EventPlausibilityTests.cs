using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Tests.Events;

public class EventPlausibilityTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 9, 30, 0, TimeSpan.Zero);

    private static string Event(string time = "2026-03-10T09:16:40Z", string stateTimestamp = "2026-03-10T09:16:40.482+0000", string previous = "2026-03-10T08:46:40.482+0000", string resource = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx") =>
        "{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"CloudWatch Alarm State Change\",\"source\":\"aws.cloudwatch\",\"account\":\"123456789012\",\"time\":\"" + time + "\",\"region\":\"us-east-1\","
        + "\"resources\":[\"" + resource + "\"],"
        + "\"detail\":{\"alarmName\":\"checkout-api-5xx\",\"state\":{\"value\":\"ALARM\",\"reason\":\"r\",\"timestamp\":\"" + stateTimestamp + "\"},\"previousState\":{\"value\":\"OK\",\"reason\":\"r\",\"timestamp\":\"" + previous + "\"}}}";

    [Theory]
    [InlineData("time", "0001-01-01T00:00:00Z", null, null, null)]
    [InlineData("time", "1999-12-31T23:59:59Z", null, null, null)]
    [InlineData("time", "2026-03-10T09:45:01Z", null, null, null)] // 15 min and a second ahead
    [InlineData("time", "9999-12-31T23:59:59Z", null, null, null)]
    [InlineData("detail.state.timestamp", null, "0001-01-01T00:00:00.000+0000", null, null)]
    [InlineData("detail.state.timestamp", null, "2099-01-01T00:00:00.000+0000", null, null)]
    [InlineData("detail.previousState.timestamp", null, null, "0001-01-01T00:00:00.000+0000", null)]
    [InlineData("resources[0]", null, null, null, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-api-5xx")]
    [InlineData("resources[0]", null, null, null, "arn:aws:cloudwatch:us-east-1:999999999999:alarm:checkout-api-5xx")]
    [InlineData("resources[0]", null, null, null, "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-api-5xx")]
    public void Check_WhenATimeIsImplausibleOrTheArnDisagrees_ShouldRejectNamingTheField(string field, string? time, string? state, string? previous, string? resource)
    {
        var parsed = EventParser.Parse(Event(time ?? "2026-03-10T09:16:40Z", state ?? "2026-03-10T09:16:40.482+0000", previous ?? "2026-03-10T08:46:40.482+0000", resource ?? "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx"));

        var e = Assert.Throws<InvalidEventException>(() => EventPlausibility.Check(parsed, Now, EventPlausibility.DefaultClockSkew));

        Assert.Equal(field, e.Field);
        Assert.StartsWith(field + ": ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2000-01-01T00:00:00Z")]
    [InlineData("2026-03-10T09:45:00Z")] // exactly the skew ahead
    public void Check_WhenTimesAreAtTheEdgesOfTheRange_ShouldAccept(string time)
    {
        EventPlausibility.Check(EventParser.Parse(Event(time: time)), Now, EventPlausibility.DefaultClockSkew);
    }

    [Fact]
    public void IsPlausible_WhenTheClockIsNearTheEndOfTime_ShouldNotOverflow()
    {
        Assert.True(EventPlausibility.IsPlausible(Now, DateTimeOffset.MaxValue, TimeSpan.FromMinutes(15)));
        Assert.False(EventPlausibility.IsPlausible(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, TimeSpan.FromMinutes(15)));
    }

    [Theory]
    [InlineData(RuleArn, "2026-03-10T09:00:00.000+0000", "2026-03-10T11:00:00.000+0000", null)]
    [InlineData(RuleArn, "2026-03-10T09:00:00.000+0000", "2026-03-25T09:00:00.000+0000", null)] // P15D, the longest a rule lasts
    [InlineData(RuleArn, "2026-03-10T09:00:00.000+0000", "2026-03-25T09:00:01.000+0000", "muteDetail: the window from 2026-03-10T09:00:00.000+0000 to 2026-03-25T09:00:01.000+0000 is longer than the 15 days a mute rule can last")]
    [InlineData(RuleArn, "2026-03-10T11:00:00.000+0000", "2026-03-10T09:00:00.000+0000", "muteDetail: the window ends (2026-03-10T09:00:00.000+0000) before it starts (2026-03-10T11:00:00.000+0000)")]
    [InlineData(RuleArn, "2026-03-10T11:00:00.000+0000", "2026-03-10T11:00:00.000+0000", "muteDetail: the window ends (2026-03-10T11:00:00.000+0000) before it starts (2026-03-10T11:00:00.000+0000)")]
    [InlineData(RuleArn, "1970-01-01T00:00:00.000+0000", "1970-01-01T01:00:00.000+0000", "muteDetail.muteWindowStart: 1970-01-01T00:00:00.000+0000 is before 2000-01-01T00:00:00.000+0000")]
    [InlineData(RuleArn, "2026-03-10T09:00:00.000+0000", "soon", "muteDetail.muteWindowEnd: 'soon' is not a time")]
    [InlineData(RuleArn, null, "2026-03-10T09:00:00.000+0000", "muteDetail.muteWindowStart: '' is not a time")]
    [InlineData("arn:aws:cloudwatch:us-east-1:123456789012:alarm:other", "2026-03-10T09:00:00.000+0000", "2026-03-10T11:00:00.000+0000", "muteDetail.mutedByArn is not an alarm mute rule ARN")]
    [InlineData(null, "2026-03-10T09:00:00.000+0000", "2026-03-10T11:00:00.000+0000", "muteDetail.mutedByArn is not an alarm mute rule ARN")]
    public void MuteWindowProblem_WhenTheWindowIsImplausible_ShouldSayWhyAndOtherwiseNothing(string? arn, string? start, string? end, string? problem) =>
        Assert.Equal(problem, EventPlausibility.MuteWindowProblem(new MuteDetail { MutedByArn = arn, MuteWindowStart = start, MuteWindowEnd = end }));

    private const string RuleArn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:nightly";
}
