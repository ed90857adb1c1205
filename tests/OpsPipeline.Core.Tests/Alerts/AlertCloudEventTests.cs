using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Tests.Events;

namespace OpsPipeline.Core.Tests.Alerts;

public sealed class AlertCloudEventTests
{
    public static TheoryData<string> CloudWatchSamples() => new(SampleEvents.CloudWatchFiles());

    [Fact]
    public void ToJsonString_WhenAlert_ShouldWriteAStructuredCloudEvent()
    {
        var alert = Sample("cloudwatch-alarm-single-metric.json") with { TraceId = "1-67d3f5a5-0123456789abcdef01234567" };

        using var doc = JsonDocument.Parse(AlertCloudEvent.ToJsonString(alert));
        var root = doc.RootElement;

        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal("com.serverlessopspipeline.alert.v1", root.GetProperty("type").GetString());
        Assert.Equal("/ops-pipeline/123456789012/us-east-1", root.GetProperty("source").GetString());
        Assert.Equal("144f4451-dd67-4db4-83f9-3746856119b7", root.GetProperty("id").GetString());
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 16, 40, TimeSpan.Zero), root.GetProperty("time").GetDateTimeOffset());
        Assert.Equal(alert.Key, root.GetProperty("subject").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        var data = root.GetProperty("data");
        Assert.Equal(alert.Key, data.GetProperty("key").GetString());
        Assert.Equal("firing", data.GetProperty("status").GetString());
        Assert.Equal("critical", data.GetProperty("severity").GetString());
        Assert.Equal("2026-03-10T09:16:40.482+00:00", data.GetProperty("stateTimestamp").GetString());
        Assert.Equal("checkout", data.GetProperty("labels").GetProperty("service").GetString());
        Assert.Equal("Runbook", data.GetProperty("links")[1].GetProperty("text").GetString());
        Assert.Equal("1-67d3f5a5-0123456789abcdef01234567", data.GetProperty("traceId").GetString());
        Assert.False(data.TryGetProperty("replayName", out _));
    }

    [Theory]
    [MemberData(nameof(CloudWatchSamples))]
    public void FromJson_WhenWrittenByToJsonBytes_ShouldGiveBackTheSameAlert(string fileName)
    {
        var alert = Sample(fileName) with { ReplayName = "drill-7", TraceId = "1-abc" };

        var back = AlertCloudEvent.FromJson(AlertCloudEvent.ToJsonBytes(alert));

        Assert.Equal(alert with { Labels = back.Labels, Links = back.Links }, back);
        Assert.Equal(alert.Labels.ToArray(), back.Labels.ToArray());
        Assert.IsType<SortedDictionary<string, string>>(back.Labels);
        Assert.Equal(alert.Links, back.Links);
        Assert.Equal(alert.StateTimestamp.UtcTicks, back.StateTimestamp.UtcTicks);
        Assert.Equal(AlertCloudEvent.ToJsonString(alert), AlertCloudEvent.ToJsonString(back));
    }

    [Theory]
    [MemberData(nameof(CloudWatchSamples))]
    public void ToJsonBytes_WhenWrittenDirectly_ShouldBeByteForByteWhatTheCloudEventsFormatterWrites(string fileName)
    {
        // Text with characters an encoder may escape, so both writers are held to the same escaping.
        var alert = Sample(fileName) with { ReplayName = "drill <7> & \"co\"", TraceId = "1-abc", Summary = "p99 > 2 s — ünïcode ✓ 'quoted'" };
        var formatter = new CloudNative.CloudEvents.SystemTextJson.JsonEventFormatter(AlertJsonContext.Default.Options, new JsonDocumentOptions());

        var expected = formatter.EncodeStructuredModeMessage(AlertCloudEvent.ToCloudEvent(alert), out _);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected.Span), AlertCloudEvent.ToJsonString(alert));
        Assert.Equal(expected.ToArray(), AlertCloudEvent.ToJsonBytes(alert).ToArray());
    }

    [Fact]
    public void FromJson_WhenTypeIsNotAnAlert_ShouldNameTheType()
    {
        var json = AlertCloudEvent.ToJsonString(Sample("cloudwatch-alarm-single-metric.json"))
            .Replace(AlertCloudEvent.EventType, "com.example.other", StringComparison.Ordinal);

        var ex = Assert.Throws<InvalidEventException>(() => AlertCloudEvent.FromJson(json));

        Assert.Equal(("type", "type: expected 'com.serverlessopspipeline.alert.v1', got 'com.example.other'"), (ex.Field, ex.Message));
    }

    [Theory]
    [InlineData("{}", "(root)")]
    [InlineData("not json", "(root)")]
    [InlineData("""{"specversion":"1.0","type":"com.serverlessopspipeline.alert.v1","source":"/x","id":"1"}""", "data")]
    [InlineData("""{"specversion":"1.0","type":"com.serverlessopspipeline.alert.v1","source":"/x","id":"1","data":{"key":"k"}}""", "data")]
    public void FromJson_WhenNotAnAlertCloudEvent_ShouldRefuse(string json, string field)
    {
        var ex = Assert.Throws<InvalidEventException>(() => AlertCloudEvent.FromJson(json));

        Assert.Equal(field, ex.Field);
    }

    private static Alert Sample(string fileName) =>
        AlertNormalizer.Normalize(EventParser.Parse(SampleEvents.Bytes(fileName)), SampleEvents.SampleConfigRules);
}
