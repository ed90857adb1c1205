using System.Text;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Tests.Events;

public sealed class EventParserTests
{
    private const string SingleMetric = "cloudwatch-alarm-single-metric.json";
    private const string Contributor = "cloudwatch-alarm-contributor.json";

    [Theory]
    [InlineData("id", null, "id", "id: required field is missing")]
    [InlineData("id", "42", "id", "id: expected a string, got a number")]
    [InlineData("id", "\"  \"", "id", "id: must not be empty")]
    [InlineData("detail-type", null, "detail-type", "detail-type: required field is missing")]
    [InlineData("detail-type", "7", "detail-type", "detail-type: expected a string, got a number")]
    [InlineData("detail-type", "\"Foo\"", "detail-type", "detail-type: unsupported detail-type 'Foo' from source 'aws.cloudwatch'")]
    [InlineData("detail-type", "\"CloudWatch Alarm Configuration Change\"", "detail-type", "detail-type: unsupported detail-type 'CloudWatch Alarm Configuration Change' from source 'aws.cloudwatch'")]
    [InlineData("source", "\"bar\"", "detail-type", "detail-type: unsupported detail-type 'CloudWatch Alarm State Change' from source 'bar'")]
    [InlineData("source", null, "source", "source: required field is missing")]
    [InlineData("source", "null", "source", "source: required field is missing")]
    [InlineData("account", null, "account", "account: required field is missing")]
    [InlineData("account", "123456789012", "account", "account: expected a string, got a number")]
    [InlineData("region", null, "region", "region: required field is missing")]
    [InlineData("region", "[\"us-east-1\"]", "region", "region: expected a string, got an array")]
    [InlineData("time", null, "time", "time: required field is missing")]
    [InlineData("time", "\"2019-13-45\"", "time", "time: '2019-13-45' is not a timestamp")]
    [InlineData("time", "1773133000", "time", "time: expected a timestamp string, got a number")]
    [InlineData("resources", "\"arn\"", "resources", "resources: expected an array, got a string")]
    [InlineData("resources", "[1]", "resources[0]", "resources[0]: expected a string, got a number")]
    [InlineData("detail", null, "detail", "detail: required field is missing")]
    [InlineData("detail", "\"x\"", "detail", "detail: expected an object, got a string")]
    [InlineData("detail.alarmName", null, "detail.alarmName", "detail.alarmName: required field is missing")]
    [InlineData("detail.alarmName", "{}", "detail.alarmName", "detail.alarmName: expected a string, got an object")]
    [InlineData("detail.state", null, "detail.state", "detail.state: required field is missing")]
    [InlineData("detail.state", "[]", "detail.state", "detail.state: expected an object, got an array")]
    [InlineData("detail.state.value", null, "detail.state.value", "detail.state.value: required field is missing")]
    [InlineData("detail.state.value", "true", "detail.state.value", "detail.state.value: expected a string, got a boolean")]
    [InlineData("detail.state.value", "\"FIRING\"", "detail.state.value", "detail.state.value: 'FIRING' is not one of ALARM, OK, INSUFFICIENT_DATA")]
    [InlineData("detail.state.value", "\"alarm\"", "detail.state.value", "detail.state.value: 'alarm' is not one of ALARM, OK, INSUFFICIENT_DATA")]
    [InlineData("detail.state.timestamp", null, "detail.state.timestamp", "detail.state.timestamp: required field is missing")]
    [InlineData("detail.state.timestamp", "\"2026-03-10 09:16:40\"", "detail.state.timestamp", "detail.state.timestamp: '2026-03-10 09:16:40' is not a timestamp")]
    [InlineData("detail.previousState.timestamp", "\"yesterday\"", "detail.previousState.timestamp", "detail.previousState.timestamp: 'yesterday' is not a timestamp")]
    [InlineData("detail.configuration.metrics", "{}", "detail.configuration.metrics", "detail.configuration.metrics: expected an array, got an object")]
    [InlineData("detail.alarmTags", "[\"team\"]", "detail.alarmTags", "detail.alarmTags: expected an object, got an array")]
    [InlineData("detail.configuration.metrics", "[{\"id\":\"m1\",\"period\":1e20}]", "detail.configuration.metrics[0].period", "detail.configuration.metrics[0].period: a number that does not fit Int32")]
    public void Parse_WhenFieldIsBad_ShouldNameTheField(string path, string? jsonValue, string field, string message)
    {
        var json = SampleEvents.With(SingleMetric, path, jsonValue);

        var ex = Assert.Throws<InvalidEventException>(() => EventParser.Parse(json));

        Assert.Equal(field, ex.Field);
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("", "(root): not valid JSON: ")]
    [InlineData("   ", "(root): not valid JSON: ")]
    [InlineData("{\"id\": ", "(root): not valid JSON: ")]
    [InlineData("{\"id\": \"a\"} {}", "(root): not valid JSON: ")]
    [InlineData("{'id': 'a'}", "(root): not valid JSON: ")]
    [InlineData("[]", "(root): expected a JSON object, got an array")]
    [InlineData("42", "(root): expected a JSON object, got a number")]
    [InlineData("\"event\"", "(root): expected a JSON object, got a string")]
    [InlineData("null", "(root): expected a JSON object, got null")]
    [InlineData("{}", "source: required field is missing")]
    public void Parse_WhenBodyIsNotAnEventObject_ShouldSayWhy(string body, string messageStart)
    {
        var ex = Assert.Throws<InvalidEventException>(() => EventParser.Parse(body));

        Assert.StartsWith(messageStart, ex.Message, StringComparison.Ordinal);
        Assert.Equal(messageStart[..messageStart.IndexOf(':', StringComparison.Ordinal)], ex.Field);
    }

    [Theory]
    [InlineData(63, false)]
    [InlineData(64, true)]
    [InlineData(5000, true)]
    public void Parse_WhenNestingExceeds64Levels_ShouldReject(int extraLevels, bool rejected)
    {
        // The root object is level 1; "padding" adds extraLevels more.
        var json = SampleEvents.With(SingleMetric, "padding", "0");
        json = json.Replace("\"padding\":0", "\"padding\":" + new string('[', extraLevels) + new string(']', extraLevels), StringComparison.Ordinal);

        if (rejected)
        {
            var ex = Assert.Throws<InvalidEventException>(() => EventParser.Parse(json));
            Assert.Equal("(root): nested deeper than 64 levels", ex.Message);
        }
        else
        {
            Assert.Equal("checkout-api-5xx", ((CloudWatchAlarmEvent)EventParser.Parse(json)).AlarmName);
        }
    }

    [Fact]
    public void Parse_WhenBodyIsLargerThan256KiB_ShouldRejectBeforeReadingIt()
    {
        var sample = SampleEvents.Text(SingleMetric);
        var padding = new string(' ', EventParser.MaxEventBytes + 1 - Encoding.UTF8.GetByteCount(sample));
        var tooLarge = sample + padding;
        var justFits = sample + padding[1..];

        var fromBytes = Assert.Throws<InvalidEventException>(() => EventParser.Parse(Encoding.UTF8.GetBytes(tooLarge)));
        var fromString = Assert.Throws<InvalidEventException>(() => EventParser.Parse(tooLarge));

        Assert.Equal("(root): event is 262145 bytes, larger than the 262144-byte (256 KiB) EventBridge limit", fromBytes.Message);
        Assert.Equal(fromBytes.Message, fromString.Message);
        Assert.Equal("(root)", fromBytes.Field);
        Assert.IsType<AlarmStateChangeEvent>(EventParser.Parse(justFits));
    }

    [Fact]
    public void Parse_WhenStringOrBytesOrBom_ShouldGiveTheSameEvent()
    {
        var bytes = SampleEvents.Bytes(SingleMetric);
        var withBom = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(bytes).ToArray();

        var a = (AlarmStateChangeEvent)EventParser.Parse(bytes);
        var b = (AlarmStateChangeEvent)EventParser.Parse(SampleEvents.Text(SingleMetric));
        var c = (AlarmStateChangeEvent)EventParser.Parse(withBom);

        Assert.Equal((a.Id, a.StateTimestamp, a.AlarmArn), (b.Id, b.StateTimestamp, b.AlarmArn));
        Assert.Equal((a.Id, a.StateTimestamp, a.AlarmArn), (c.Id, c.StateTimestamp, c.AlarmArn));
    }

    [Theory]
    [InlineData("\"2026-03-10T09:16:40.482Z\"")]
    [InlineData("\"2026-03-10T09:16:40.482+00:00\"")]
    [InlineData("\"2026-03-10T10:16:40.482+0100\"")]
    [InlineData("\"2026-03-10T04:16:40.482-05:00\"")]
    public void Parse_WhenStateTimestampUsesAnotherIsoOffset_ShouldReadTheSameInstant(string timestamp)
    {
        var json = SampleEvents.With(SingleMetric, "detail.state.timestamp", timestamp);

        var e = (AlarmStateChangeEvent)EventParser.Parse(json);

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 16, 40, 482, TimeSpan.Zero), e.StateTimestamp);
    }

    [Theory]
    [InlineData("\"not json at all\"", "not json at all")]
    [InlineData("\"{\\\"threshold\\\":\\\"high\\\"}\"", "{\"threshold\":\"high\"}")]
    [InlineData("\"{\\\"queryDate\\\":\\\"soon\\\"}\"", "{\"queryDate\":\"soon\"}")]
    [InlineData("\"{\\\"threshold\\\":5.0\"", "{\"threshold\":5.0")]
    [InlineData("\"[1,2]\"", "[1,2]")]
    [InlineData("\"\"", "")]
    [InlineData("42", "42")]
    public void Parse_WhenReasonDataIsOdd_ShouldKeepItRawAndAcceptTheEvent(string jsonValue, string raw)
    {
        var json = SampleEvents.With(SingleMetric, "detail.state.reasonData", jsonValue);

        var e = (AlarmStateChangeEvent)EventParser.Parse(json);

        Assert.False(e.State.ReasonData!.IsParsed);
        Assert.Equal(raw, e.State.ReasonData.Raw);
        Assert.Null(e.State.ReasonData.Threshold);
    }

    [Fact]
    public void Parse_WhenReasonDataIsAnEmbeddedObject_ShouldParseItAnyway()
    {
        var json = SampleEvents.With(SingleMetric, "detail.state.reasonData", "{\"threshold\":7.5,\"recentDatapoints\":[9.0]}");

        var e = (AlarmStateChangeEvent)EventParser.Parse(json);

        Assert.True(e.State.ReasonData!.IsParsed);
        Assert.Equal(7.5, e.State.ReasonData.Threshold);
        Assert.Equal("{\"threshold\":7.5,\"recentDatapoints\":[9.0]}", e.State.ReasonData.Raw);
    }

    [Fact]
    public void Parse_WhenReasonDataIsNullOrAbsent_ShouldLeaveItNull()
    {
        var withNull = (AlarmStateChangeEvent)EventParser.Parse(SampleEvents.With(SingleMetric, "detail.state.reasonData", "null"));
        var absent = (AlarmStateChangeEvent)EventParser.Parse(SampleEvents.With(SingleMetric, "detail.state.reasonData", null));

        Assert.Null(withNull.State.ReasonData);
        Assert.Null(absent.State.ReasonData);
    }

    [Fact]
    public void Parse_WhenReplayed_ShouldCarryTheReplayName()
    {
        var json = SampleEvents.With(SingleMetric, "replay-name", "\"drill-2026-03-10\"");

        Assert.Equal("drill-2026-03-10", EventParser.Parse(json).ReplayName);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[\"arn:aws:sqs:us-east-1:123456789012:not-an-alarm\"]")]
    [InlineData(null)]
    public void Parse_WhenResourcesHoldNoAlarmArn_ShouldBuildTheArnFromTheEvent(string? resources)
    {
        var json = SampleEvents.With(SingleMetric, "resources", resources);

        var e = (CloudWatchAlarmEvent)EventParser.Parse(json);

        Assert.Equal("arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx", e.AlarmArn);
    }

    [Fact]
    public void Parse_WhenCompositeStateIsSuppressed_ShouldReadTheSuppression()
    {
        var json = SampleEvents.With("cloudwatch-alarm-composite.json", "detail.state.actionsSuppressedBy", "\"WaitPeriod\"");
        json = SampleEvents.Edit(json, "detail.state.actionsSuppressedReason", "\"Actions suppressed by WaitPeriod\"");

        var e = (AlarmStateChangeEvent)EventParser.Parse(json);

        Assert.Equal(("WaitPeriod", "Actions suppressed by WaitPeriod"), (e.State.ActionsSuppressedBy, e.State.ActionsSuppressedReason));
    }

    [Fact]
    public void Parse_WhenContributorIsSpelledContributor_ShouldAcceptIt()
    {
        var json = SampleEvents.With(Contributor, "detail.alarmContributor", null);
        json = SampleEvents.Edit(json, "detail.contributor", "{\"id\":\"0a1b2c3d4e5f6071\",\"attributes\":{\"TableName\":\"carts\"}}");

        var e = Assert.IsType<AlarmContributorStateChangeEvent>(EventParser.Parse(json));

        Assert.Equal("0a1b2c3d4e5f6071", e.ContributorId);
    }

    [Theory]
    [InlineData("detail.alarmContributor", null, "detail.alarmContributor", "detail.alarmContributor: required field is missing")]
    [InlineData("detail.alarmContributor.id", null, "detail.alarmContributor.id", "detail.alarmContributor.id: required field is missing")]
    [InlineData("detail.alarmContributor.attributes", "{\"TableName\":1}", "detail.alarmContributor.attributes.TableName", "detail.alarmContributor.attributes.TableName: expected a string, got a number")]
    public void Parse_WhenContributorIsBad_ShouldNameTheField(string path, string? jsonValue, string field, string message)
    {
        var json = SampleEvents.With(Contributor, path, jsonValue);

        var ex = Assert.Throws<InvalidEventException>(() => EventParser.Parse(json));

        Assert.Equal((field, message), (ex.Field, ex.Message));
    }

    [Fact]
    public void ParseAndNormalize_WhenListsHoldNulls_ShouldSkipThem()
    {
        var json = SampleEvents.With(SingleMetric, "detail.configuration.metrics", """[null,{"id":"m1","metricStat":{"metric":{"namespace":"AWS/ApiGateway","name":"5XXError"}}}]""");
        json = SampleEvents.Edit(json, "resources", "[null,\"arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx\"]");
        var composite = SampleEvents.With("cloudwatch-alarm-composite.json", "detail.state.reasonData", "\"{\\\"triggeringAlarms\\\":[null,{\\\"arn\\\":\\\"arn:aws:cloudwatch:us-east-1:1:alarm:a\\\"}]}\"");

        var alert = AlertNormalizer.Normalize(EventParser.Parse(json), []);
        var compositeAlert = AlertNormalizer.Normalize(EventParser.Parse(composite), []);

        Assert.Equal("5XXError", alert.Labels["metric"]);
        Assert.Equal("arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx", alert.Arn);
        Assert.Equal("payments-degraded is ALARM: triggered by a", compositeAlert.Summary);
    }

    [Theory]
    [InlineData("\"id\": \"", "id")]
    [InlineData("\"alarmName\": \"", "detail.alarmName")]
    public void Parse_WhenAStringIsNotValidUtf8_ShouldNameTheField(string before, string field)
    {
        var bytes = SampleEvents.Bytes(SingleMetric);
        var at = Encoding.UTF8.GetString(bytes).IndexOf(before, StringComparison.Ordinal) + before.Length;
        bytes[at] = 0xFF;

        var ex = Assert.Throws<InvalidEventException>(() => EventParser.Parse(bytes));

        Assert.Equal(field, ex.Field);
        Assert.Equal(field + ": not valid UTF-8 text", ex.Message);
    }

    [Fact]
    public void Parse_WhenUnsupportedValueIsHuge_ShouldQuoteOnlyItsStart()
    {
        var json = SampleEvents.With(SingleMetric, "detail-type", "\"" + new string('x', 5000) + "\"");

        var ex = Assert.Throws<InvalidEventException>(() => EventParser.Parse(json));

        Assert.Equal($"detail-type: unsupported detail-type '{new string('x', 64)}…' from source 'aws.cloudwatch'", ex.Message);
    }
}
