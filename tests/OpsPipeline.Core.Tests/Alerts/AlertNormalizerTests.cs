using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Tests.Events;
using static OpsPipeline.Core.Tests.Events.SampleEvents;

namespace OpsPipeline.Core.Tests.Alerts;

public sealed class AlertNormalizerTests
{
    private const string SingleMetric = "cloudwatch-alarm-single-metric.json";

    [Theory]
    [InlineData("ALARM", AlertStatus.Firing)]
    [InlineData("OK", AlertStatus.Resolved)]
    [InlineData("INSUFFICIENT_DATA", AlertStatus.Unknown)]
    public void Normalize_WhenState_ShouldMapStatus(string state, AlertStatus expected)
    {
        var alert = Normalize(With(SingleMetric, "detail.state.value", $"\"{state}\""));

        Assert.Equal((expected, state), (alert.Status, alert.State.Wire()));
        Assert.Equal(state, alert.Labels["state"]);
    }

    [Fact]
    public void Normalize_WhenSingleMetricAlarm_ShouldFillEveryField()
    {
        var json = With(SingleMetric, "replay-name", "\"drill-1\"");

        var alert = Normalize(json, SampleConfigRules);

        Assert.Equal("123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx", alert.Key);
        Assert.Equal(AlertSource.CloudWatch, alert.Source);
        Assert.Equal("144f4451-dd67-4db4-83f9-3746856119b7", alert.EventId);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 16, 40, TimeSpan.Zero), alert.EventTime);
        Assert.Equal("checkout-api-5xx", alert.Name);
        Assert.Equal("Checkout API answers with 5XX errors. Runbook: https://runbooks.example.com/checkout/api-5xx", alert.Description);
        Assert.StartsWith("Threshold Crossed: 1 out of the last 1 datapoints [17.0", alert.Reason, StringComparison.Ordinal);
        Assert.Equal("drill-1", alert.ReplayName);
        Assert.Null(alert.TraceId);
        Assert.Equal(
            [
                ("account", "123456789012"), ("alarmName", "checkout-api-5xx"), ("kind", "component"), ("metric", "5XXError"),
                ("namespace", "AWS/ApiGateway"), ("region", "us-east-1"), ("service", "checkout"), ("severity", "critical"),
                ("source", "cloudwatch"), ("state", "ALARM"),
            ],
            alert.Labels.Select(l => (l.Key, l.Value)).ToArray());
        Assert.Equal(
            [
                new AlertLink("Alarm", "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/checkout-api-5xx"),
                new AlertLink("Runbook", "https://runbooks.example.com/checkout/api-5xx"),
            ],
            alert.Links);
        Assert.Equal(
            "checkout-api-5xx is ALARM: Threshold Crossed: 1 out of the last 1 datapoints [17.0 (10/03/26 09:15:00)] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).",
            alert.Summary);
    }

    [Theory]
    [InlineData(new[] { "broad", "narrow" }, "warning")]
    [InlineData(new[] { "narrow", "broad" }, "critical")]
    public void Normalize_WhenSeveralRulesMatch_ShouldLetTheLaterOneWin(string[] order, string severity)
    {
        var rules = new Dictionary<string, AlarmLabelRule>
        {
            ["broad"] = Rule("alarmName", "~^checkout-", ("severity", "critical"), ("kind", "component")),
            ["narrow"] = Rule("alarmName", "checkout-api-5xx", ("severity", "warning")),
        };

        var alert = Normalize(Text(SingleMetric), order.Select(o => rules[o]).ToList());

        Assert.Equal(severity, alert.Labels["severity"]);
        Assert.Equal("component", alert.Labels["kind"]);
    }

    [Fact]
    public void Normalize_WhenSampleConfigRulesAndCapabilityAlarm_ShouldEndUpACapability()
    {
        var json = With(SingleMetric, "detail.alarmName", "\"checkout-capability\"");

        var alert = Normalize(json, SampleConfigRules);

        Assert.Equal(("capability", "critical", "checkout"), (alert.Labels["kind"], alert.Labels["severity"], alert.Labels["service"]));
    }

    [Fact]
    public void Normalize_WhenARuleMatchesOnlyALabelAnEarlierRuleAdded_ShouldNotApplyIt()
    {
        var rules = new[]
        {
            Rule("alarmName", "checkout-api-5xx", ("team", "payments")),
            Rule("team", "payments", ("severity", "critical")),
        };

        var alert = Normalize(Text(SingleMetric), rules);

        Assert.Equal("payments", alert.Labels["team"]);
        Assert.False(alert.Labels.ContainsKey("severity"));
    }

    [Fact]
    public void Normalize_WhenTagged_ShouldLayerTagsBelowBuiltInsAndRules()
    {
        var json = With(SingleMetric, "detail.alarmTags", """{"state":"OK","alarmName":"spoofed","severity":"info","team":"web","aws:cloudformation:stack-name":"shop"}""");
        var rules = new[] { Rule("team", "web", ("severity", "critical")) };

        var alert = Normalize(json, rules);

        Assert.Equal("ALARM", alert.Labels["state"]);
        Assert.Equal("checkout-api-5xx", alert.Labels["alarmName"]);
        Assert.Equal("web", alert.Labels["team"]);
        Assert.Equal("critical", alert.Labels["severity"]);
        Assert.DoesNotContain(alert.Labels.Keys, k => k.StartsWith("aws:", StringComparison.Ordinal));
    }

    [Fact]
    public void Normalize_WhenARuleSetsABuiltIn_ShouldLetTheConfigWin()
    {
        var rules = new[] { Rule("alarmName", "checkout-api-5xx", ("metric", "checkout-errors")) };

        var alert = Normalize(Text(SingleMetric), rules);

        Assert.Equal("checkout-errors", alert.Labels["metric"]);
    }

    [Theory]
    [InlineData("https://wiki.example.com/rule", "https://wiki.example.com/tag", "https://wiki.example.com/rule")]
    [InlineData(null, "https://wiki.example.com/tag", "https://wiki.example.com/tag")]
    [InlineData("see the wiki", "https://wiki.example.com/tag", "https://wiki.example.com/tag")]
    [InlineData("javascript:alert(1)", null, "https://runbooks.example.com/checkout/api-5xx")]
    [InlineData(null, null, "https://runbooks.example.com/checkout/api-5xx")]
    public void Normalize_WhenRunbookComesFromSeveralPlaces_ShouldPreferLabelThenTagThenDescription(string? fromRule, string? fromTag, string expected)
    {
        var json = fromTag is null ? Text(SingleMetric) : With(SingleMetric, "detail.alarmTags", $$"""{"runbook":"{{fromTag}}"}""");
        IReadOnlyList<AlarmLabelRule> rules = fromRule is null ? [] : [Rule("alarmName", "checkout-api-5xx", ("runbook", fromRule))];

        var alert = Normalize(json, rules);

        Assert.Equal(new AlertLink("Runbook", expected), alert.Links[1]);
    }

    [Theory]
    [InlineData("See https://runbooks.example.com/a-b?x=1&y=2, then page.", "https://runbooks.example.com/a-b?x=1&y=2")]
    [InlineData("Runbook (https://runbooks.example.com/x).", "https://runbooks.example.com/x")]
    [InlineData("Only http://insecure.example.com here", null)]
    [InlineData("No link at all", null)]
    public void Normalize_WhenDescriptionHoldsAUrl_ShouldUseTheFirstHttpsOne(string description, string? expected)
    {
        var json = With(SingleMetric, "detail.configuration.description", System.Text.Json.JsonSerializer.Serialize(description, TestJson.Default.String));

        var alert = Normalize(json);

        Assert.Equal(expected, alert.Links.SingleOrDefault(l => l.Text == "Runbook")?.Href);
    }

    [Fact]
    public void Normalize_WhenAlarmNameNeedsEscaping_ShouldEncodeItInTheConsoleLink()
    {
        var alert = Normalize(With(SingleMetric, "detail.alarmName", "\"EC2 CPU / Utilization #1\""));

        Assert.Equal("https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/EC2%20CPU%20%2F%20Utilization%20%231", alert.Links[0].Href);
    }

    [Fact]
    public void Normalize_WhenReasonIsLongAndMultiLine_ShouldGiveOneLineOf200Characters()
    {
        var reason = "Threshold Crossed:\n  " + string.Join(' ', Enumerable.Repeat("datapoint [17.0]", 40));
        var json = With(SingleMetric, "detail.state.reason", System.Text.Json.JsonSerializer.Serialize(reason, TestJson.Default.String));

        var alert = Normalize(json);

        // Cut at 199 characters plus the ellipsis; the cut fell on a space, which is trimmed.
        Assert.Equal(199, alert.Summary.Length);
        Assert.StartsWith("checkout-api-5xx is ALARM: Threshold Crossed: datapoint [17.0] datapoint", alert.Summary, StringComparison.Ordinal);
        Assert.EndsWith("[17.0] datapoint [17.0]…", alert.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', alert.Summary);
        Assert.Equal(reason, alert.Reason);
    }

    [Fact]
    public void Normalize_WhenReasonIsLongWithoutSpaces_ShouldCutAtExactly200Characters()
    {
        var json = With(SingleMetric, "detail.state.reason", "\"" + new string('x', 500) + "\"");

        var alert = Normalize(json);

        Assert.Equal("checkout-api-5xx is ALARM: " + new string('x', 199 - 27) + "…", alert.Summary);
        Assert.Equal(200, alert.Summary.Length);
    }

    [Fact]
    public void Normalize_WhenReasonIsMissing_ShouldStillSayWhatIsWrong()
    {
        var alert = Normalize(With(SingleMetric, "detail.state.reason", null));

        Assert.Equal("checkout-api-5xx is ALARM", alert.Summary);
        Assert.Null(alert.Reason);
    }

    [Fact]
    public void Normalize_WhenCompositeHasSeveralTriggeringAlarms_ShouldNameEachOnce()
    {
        const string reasonData = """{"triggeringAlarms":[{"arn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-api-5xx","state":{"value":"ALARM","timestamp":"2026-03-10T09:04:45.102+0000"}},{"arn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-api-latency-p99","state":{"value":"ALARM","timestamp":"2026-03-10T09:04:40.000+0000"}},{"arn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-api-5xx","state":{"value":"ALARM","timestamp":"2026-03-10T09:04:45.102+0000"}}]}""";
        var json = With("cloudwatch-alarm-composite.json", "detail.state.reasonData", System.Text.Json.JsonSerializer.Serialize(reasonData, TestJson.Default.String));

        var alert = Normalize(json);

        Assert.Equal("payments-degraded is ALARM: triggered by payments-api-5xx, payments-api-latency-p99", alert.Summary);
    }

    [Fact]
    public void Normalize_WhenCompositeReasonDataIsUnreadable_ShouldFallBackToTheReason()
    {
        var json = With("cloudwatch-alarm-composite.json", "detail.state.reasonData", "\"{broken\"");

        var alert = Normalize(json);

        Assert.Equal("payments-degraded is ALARM: arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-api-5xx transitioned to ALARM at Tuesday 10 March, 2026 09:04:45 UTC", alert.Summary);
    }

    [Fact]
    public void Normalize_WhenContributorHasNoAttributes_ShouldNameItById()
    {
        var json = With("cloudwatch-alarm-contributor.json", "detail.alarmContributor", """{"id":"00000000000000ff"}""");

        var alert = Normalize(json);

        Assert.StartsWith("dynamodb-write-throttles-by-table is ALARM for 00000000000000ff: ", alert.Summary, StringComparison.Ordinal);
        Assert.EndsWith("#00000000000000ff", alert.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_WhenEventKindIsNotAnAlarm_ShouldRefuse()
    {
        var other = new UnknownEvent
        {
            Id = "1", DetailType = "Something", Source = "custom", Account = "1", Region = "r", Time = DateTimeOffset.UnixEpoch, Resources = [],
        };

        var ex = Assert.Throws<ArgumentException>(() => AlertNormalizer.Normalize(other, []));

        Assert.Contains("no normalization for UnknownEvent (Something)", ex.Message, StringComparison.Ordinal);
    }

    private static Alert Normalize(string json, IReadOnlyList<AlarmLabelRule>? rules = null) =>
        AlertNormalizer.Normalize(EventParser.Parse(json), rules ?? []);

    private sealed record UnknownEvent : ParsedEvent;
}
