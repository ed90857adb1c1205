using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Tests.Events;

/// <summary>Sample events rot when no test reads them: every events/cloudwatch-*.json is parsed and normalized here.</summary>
public sealed class EventContractTests
{
    private const string Account = "123456789012";
    private const string Region = "us-east-1";

    public static TheoryData<string> CloudWatchSamples() => new(SampleEvents.CloudWatchFiles());

    [Theory]
    [InlineData("cloudwatch-alarm-single-metric.json")]
    [InlineData("cloudwatch-ok-single-metric.json")]
    [InlineData("cloudwatch-alarm-metric-math.json")]
    [InlineData("cloudwatch-alarm-anomaly-detection.json")]
    [InlineData("cloudwatch-alarm-composite.json")]
    [InlineData("cloudwatch-alarm-contributor.json")]
    [InlineData("cloudwatch-alarm-with-tags.json")]
    [InlineData("cloudwatch-insufficient-data.json")]
    public void CloudWatchSamples_WhenListed_ShouldCoverEveryDocumentedKind(string fileName)
    {
        Assert.Contains(fileName, SampleEvents.CloudWatchFiles());
    }

    [Theory]
    [MemberData(nameof(CloudWatchSamples))]
    public void ParseAndNormalize_WhenSampleEvent_ShouldYieldAConsistentAlert(string fileName)
    {
        var parsed = EventParser.Parse(SampleEvents.Bytes(fileName));
        var alert = AlertNormalizer.Normalize(parsed, SampleEvents.SampleConfigRules);

        var alarm = Assert.IsAssignableFrom<CloudWatchAlarmEvent>(parsed);
        Assert.Equal(Account, alert.Account);
        Assert.Equal(Region, alert.Region);
        Assert.Equal($"arn:aws:cloudwatch:{Region}:{Account}:alarm:{alarm.AlarmName}", alert.Arn);
        Assert.StartsWith($"{Account}:{Region}:{alert.Arn}", alert.Key, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(alert.EventId, out _), $"{fileName}: id {alert.EventId} is not a UUID");
        Assert.Equal(2026, alert.EventTime.Year);
        Assert.Equal(TimeSpan.Zero, alert.StateTimestamp.Offset);
        Assert.True(alert.StateTimestamp.Millisecond > 0, $"{fileName}: state timestamp lost its milliseconds");
        Assert.InRange(alert.EventTime - alert.StateTimestamp, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1));
        Assert.Equal("cloudwatch", alert.Labels["source"]);
        Assert.Equal(alert.State.Wire(), alert.Labels["state"]);
        Assert.Equal(alert.Name, alert.Labels["alarmName"]);
        Assert.InRange(alert.Summary.Length, 1, AlertNormalizer.MaxSummaryLength);
        Assert.StartsWith($"{alert.Name} is {alert.State.Wire()}", alert.Summary, StringComparison.Ordinal);
        Assert.Equal("Alarm", alert.Links[0].Text);
        if (alarm.State.ReasonData is { } reasonData)
        {
            Assert.True(reasonData.IsParsed, $"{fileName}: reasonData did not parse");
        }
    }

    [Fact]
    public void Samples_WhenOrderedByFileName_ShouldAlsoBeInTimeOrderWithUniqueIds()
    {
        // opsctl local runs a folder in name order with the clock taken from each event: keep them in step.
        // Replayed samples keep their original time, so they are left out of the order.
        var events = SampleEvents.CloudWatchFiles().Select(f => EventParser.Parse(SampleEvents.Bytes(f))).Where(e => e.ReplayName is null).ToList();
        Assert.Equal(events.Select(e => e.Time).Order(), events.Select(e => e.Time));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void SingleMetricPair_WhenNormalized_ShouldShareTheKeyAndResolveLater()
    {
        var alarm = Normalize("cloudwatch-alarm-single-metric.json");
        var ok = Normalize("cloudwatch-ok-single-metric.json");

        Assert.Equal("123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx", alarm.Key);
        Assert.Equal(alarm.Key, ok.Key);
        Assert.Equal((AlertStatus.Firing, "ALARM", "OK"), (alarm.Status, alarm.State.Wire(), alarm.PreviousState));
        Assert.Equal((AlertStatus.Resolved, "OK", "ALARM"), (ok.Status, ok.State.Wire(), ok.PreviousState));
        Assert.True(ok.StateTimestamp > alarm.StateTimestamp);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 16, 40, 482, TimeSpan.Zero), alarm.StateTimestamp);
        Assert.Equal("critical", alarm.Severity);
        Assert.Equal("component", alarm.Labels["kind"]);
        Assert.Equal("5XXError", alarm.Labels["metric"]);
        Assert.Equal("AWS/ApiGateway", alarm.Labels["namespace"]);
        Assert.Equal(new AlertLink("Runbook", "https://runbooks.example.com/checkout/api-5xx"), alarm.Links[1]);
    }

    [Fact]
    public void Parse_WhenSingleMetricSample_ShouldReadTheAwsOffsetTimestampExactly()
    {
        var e = (AlarmStateChangeEvent)EventParser.Parse(SampleEvents.Bytes("cloudwatch-alarm-single-metric.json"));

        Assert.Equal(AlarmKind.SingleMetric, e.Kind);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 16, 40, TimeSpan.Zero), e.Time);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 16, 40, 482, TimeSpan.Zero), e.StateTimestamp);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 7, 58, 40, 117, TimeSpan.Zero), e.PreviousState!.Timestamp);
        var reasonData = e.State.ReasonData!;
        Assert.Equal([17.0], reasonData.RecentDatapoints!);
        Assert.Equal(5.0, reasonData.Threshold);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 15, 0, TimeSpan.Zero), reasonData.StartDate);
    }

    [Fact]
    public void Normalize_WhenMetricMathSample_ShouldLabelTheFirstMetricStat()
    {
        var e = (AlarmStateChangeEvent)EventParser.Parse(SampleEvents.Bytes("cloudwatch-alarm-metric-math.json"));
        var alert = AlertNormalizer.Normalize(e, SampleEvents.SampleConfigRules);

        Assert.Equal(AlarmKind.MetricMath, e.Kind);
        Assert.Equal("m1 / 60", e.Detail.Configuration!.Metrics![0].Expression);
        Assert.Equal("ApproximateAgeOfOldestMessage", alert.Labels["metric"]);
        Assert.Equal("AWS/SQS", alert.Labels["namespace"]);
        Assert.False(alert.Labels.ContainsKey("severity"));
        Assert.Equal(new AlertLink("Runbook", "https://runbooks.example.com/billing/export-lag"), alert.Links[1]);
    }

    [Fact]
    public void Parse_WhenAnomalyDetectionSample_ShouldKeepTheBandAndThresholdMetric()
    {
        var e = (AlarmStateChangeEvent)EventParser.Parse(SampleEvents.Bytes("cloudwatch-alarm-anomaly-detection.json"));
        var alert = AlertNormalizer.Normalize(e, []);

        Assert.Equal(AlarmKind.AnomalyDetection, e.Kind);
        Assert.Equal("ad1", e.Detail.Configuration!.ThresholdMetricId);
        Assert.Equal([120.7], e.State.ReasonData!.RecentLowerThresholds!);
        Assert.Equal([910.2], e.State.ReasonData!.RecentUpperThresholds!);
        Assert.Equal("Duration", alert.Labels["metric"]);
        Assert.Equal("AWS/Lambda", alert.Labels["namespace"]);
    }

    [Fact]
    public void Normalize_WhenCompositeSample_ShouldNameTheTriggeringAlarms()
    {
        var e = (AlarmStateChangeEvent)EventParser.Parse(SampleEvents.Bytes("cloudwatch-alarm-composite.json"));
        var alert = AlertNormalizer.Normalize(e, SampleEvents.SampleConfigRules);

        Assert.Equal(AlarmKind.Composite, e.Kind);
        var configuration = e.Detail.Configuration!;
        Assert.Equal("ALARM(\"payments-api-5xx\") OR ALARM(\"payments-api-latency-p99\")", configuration.AlarmRule);
        Assert.Equal(("payments-maintenance", 120, 180), (configuration.ActionsSuppressor, configuration.ActionsSuppressorWaitPeriod, configuration.ActionsSuppressorExtensionPeriod));
        var triggering = Assert.Single(e.State.ReasonData!.TriggeringAlarms!);
        Assert.Equal("payments-api-5xx", triggering.Name);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 4, 45, 102, TimeSpan.Zero), triggering.State!.Timestamp);
        Assert.Equal(2, e.PreviousState!.ReasonData!.TriggeringAlarms!.Count);
        Assert.Equal("payments-degraded is ALARM: triggered by payments-api-5xx", alert.Summary);
        Assert.False(alert.Labels.ContainsKey("metric"));
    }

    [Fact]
    public void Normalize_WhenContributorSample_ShouldKeyBySeries()
    {
        var e = Assert.IsType<AlarmContributorStateChangeEvent>(EventParser.Parse(SampleEvents.Bytes("cloudwatch-alarm-contributor.json")));
        var alert = AlertNormalizer.Normalize(e, []);

        Assert.Equal(AlarmKind.MetricsInsights, e.Kind);
        Assert.Equal("6f1c2a9b3d4e5f60", e.ContributorId);
        Assert.Equal("orders", e.Contributor.Attributes!["TableName"]);
        Assert.Null(e.PreviousState);
        Assert.Equal("123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:dynamodb-write-throttles-by-table#6f1c2a9b3d4e5f60", alert.Key);
        Assert.Equal("6f1c2a9b3d4e5f60", alert.Labels["contributor"]);
        Assert.Equal("AWS/DynamoDB", alert.Labels["namespace"]);
        Assert.Equal("m1", alert.Labels["metric"]);
        Assert.StartsWith("dynamodb-write-throttles-by-table is ALARM for TableName=orders: Threshold Crossed", alert.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_WhenTaggedSample_ShouldTurnTagsIntoLabelsAndReadMuteDetail()
    {
        var e = (AlarmStateChangeEvent)EventParser.Parse(SampleEvents.Bytes("cloudwatch-alarm-with-tags.json"));
        var alert = AlertNormalizer.Normalize(e, SampleEvents.SampleConfigRules);

        Assert.Equal("SUCCESS", e.Detail.AlarmTagsStatus);
        Assert.Equal(("inventory", "inventory", "warning"), (alert.Labels["team"], alert.Labels["service"], alert.Severity));
        Assert.Equal(new AlertLink("Runbook", "https://runbooks.example.com/inventory/sync-errors"), alert.Links[1]);
        var mute = e.Detail.MuteDetail!;
        Assert.Equal("arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:inventory-nightly-reindex", mute.MutedByArn);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 22, 0, 0, TimeSpan.Zero), mute.MuteWindowStartTime);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 23, 30, 0, TimeSpan.Zero), mute.MuteWindowEndTime);
    }

    [Fact]
    public void Normalize_WhenInsufficientDataSample_ShouldBeNeitherFiringNorResolved()
    {
        var alert = Normalize("cloudwatch-insufficient-data.json");

        Assert.Equal((AlertStatus.Unknown, "INSUFFICIENT_DATA", "OK"), (alert.Status, alert.State.Wire(), alert.PreviousState));
        Assert.Equal("search-indexer-heartbeat is INSUFFICIENT_DATA: Insufficient Data: 5 datapoints were unknown.", alert.Summary);
        Assert.Single(alert.Links);
    }

    private static Alert Normalize(string fileName) =>
        AlertNormalizer.Normalize(EventParser.Parse(SampleEvents.Bytes(fileName)), SampleEvents.SampleConfigRules);
}
