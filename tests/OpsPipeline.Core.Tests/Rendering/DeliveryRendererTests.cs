using OpsPipeline.Core.Alerts;
using System.Text.Json;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Rendering;

public class DeliveryRendererTests
{
    [Theory]
    [InlineData("team", "slack", "/ops/slack/team", null, JsonValueKind.Object)]
    [InlineData("oncall", "pagerduty", "/ops/pagerduty/routing-key", null, JsonValueKind.Object)]
    [InlineData("email", "sns", null, "arn:aws:sns:us-east-1:123456789012:ops-email", JsonValueKind.String)]
    [InlineData("hook", "webhook", "/ops/webhook/incidents", null, JsonValueKind.Object)]
    public void Render_WhenReceiverHasChannel_ShouldTargetThatChannel(string receiver, string channel, string? parameter, string? topicArn, JsonValueKind payloadKind)
    {
        var config = new[] { SampleAlerts.Team, SampleAlerts.OnCall, SampleAlerts.Email, SampleAlerts.Hook }.Single(r => r.Name == receiver);

        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing(), "trigger", config, drill: false);

        Assert.Equal(receiver, delivery.Receiver);
        Assert.Equal(channel, delivery.Channel);
        Assert.Equal(parameter, delivery.Target.Parameter);
        Assert.Equal(topicArn, delivery.Target.TopicArn);
        Assert.Equal(payloadKind, delivery.Payload.ValueKind);
        Assert.Equal(channel == "sns", delivery.Subject is not null);
        Assert.Equal(SampleAlerts.Key, delivery.AlertKey);
        Assert.Equal(SampleAlerts.Key, delivery.DedupKey);
    }

    [Fact]
    public void Render_WhenTriggerThenResolveToPagerDuty_ShouldPairOnOneDedupKey()
    {
        var longKey = SampleAlerts.Key + "/" + new string('x', 400);
        var trigger = DeliveryRenderer.Render(SampleAlerts.Firing() with { Key = longKey }, "trigger", SampleAlerts.OnCall, drill: false);
        var resolve = DeliveryRenderer.Render(SampleAlerts.Resolved() with { Key = longKey }, "resolve", SampleAlerts.OnCall, drill: false);

        var triggerKey = trigger.Payload.GetProperty("dedup_key").GetString();
        Assert.Equal(triggerKey, resolve.Payload.GetProperty("dedup_key").GetString());
        Assert.Equal(trigger.DedupKey, triggerKey);
        Assert.True(triggerKey!.Length <= 255);
        Assert.Equal(longKey, trigger.AlertKey);
    }

    [Theory]
    [InlineData("trigger")]
    [InlineData("resolve")]
    [InlineData("repeat")]
    [InlineData("flapping")]
    public void Render_WhenPagerDuty_ShouldNeverCarryRoutingKey(string action)
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing(), action, SampleAlerts.OnCall, drill: false);

        Assert.DoesNotContain("routing_key", delivery.Payload.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("routingKey", delivery.Payload.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("digest")]
    [InlineData("budget")]
    [InlineData("TRIGGER")]
    [InlineData("")]
    public void Render_WhenActionIsNotSingleAlert_ShouldThrowNamingTheAction(string action)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => DeliveryRenderer.Render(SampleAlerts.Firing(), action, SampleAlerts.Team, drill: false));

        Assert.Contains($"Action '{action}' cannot be rendered for a single alert", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WhenActionIsDlq_ShouldTagTheMessageAsDeadLetteredOnEveryChannel()
    {
        var alert = SampleAlerts.Firing();

        var slack = DeliveryRenderer.Render(alert, "dlq", SampleAlerts.Team, drill: false);
        var pagerDuty = DeliveryRenderer.Render(alert, "dlq", SampleAlerts.OnCall, drill: false);

        Assert.Contains("DEAD-LETTERED", slack.Payload.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("trigger", pagerDuty.Payload.GetProperty("event_action").GetString());
        Assert.StartsWith("[DLQ]", pagerDuty.Payload.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WhenReceiverHasNoChannel_ShouldThrowNamingTheReceiver()
    {
        var ex = Assert.Throws<ArgumentException>(() => DeliveryRenderer.Render(SampleAlerts.Firing(), "trigger", new ReceiverConfig { Name = "nowhere" }, drill: false));

        Assert.Contains("Receiver 'nowhere' has no channel configured.", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("critical", "critical")]
    [InlineData("CRITICAL", "critical")]
    [InlineData("high", "error")]
    [InlineData("error", "error")]
    [InlineData("warning", "warning")]
    [InlineData("medium", "warning")]
    [InlineData("low", "info")]
    [InlineData("info", "info")]
    [InlineData("sev1", "warning")]
    [InlineData("", "warning")]
    public void Render_WhenPagerDutyTrigger_ShouldMapSeverityLabel(string label, string expected)
    {
        var alert = SampleAlerts.WithLabels(SampleAlerts.Firing(), [new("severity", label)]);

        var delivery = DeliveryRenderer.Render(alert, "trigger", SampleAlerts.OnCall, drill: false);

        Assert.Equal(expected, delivery.Payload.GetProperty("payload").GetProperty("severity").GetString());
    }

    [Fact]
    public void Render_WhenNoSeverityLabel_ShouldSendWarning()
    {
        var alert = SampleAlerts.Firing() with
        {
            Labels = SampleAlerts.Firing().Labels.Where(l => l.Key != "severity").ToDictionary(StringComparer.Ordinal),
        };

        var delivery = DeliveryRenderer.Render(alert, "trigger", SampleAlerts.OnCall, drill: false);

        Assert.Equal("warning", delivery.Payload.GetProperty("payload").GetProperty("severity").GetString());
    }

    [Fact]
    public void Render_WhenDlqAlertWithoutArnOrMetric_ShouldUseAccountRegionAndSource()
    {
        var alert = SampleAlerts.Firing() with
        {
            Source = AlertSource.Dlq,
            Arn = null,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["queue"] = "orders-dlq", ["service"] = "orders" },
        };

        var payload = DeliveryRenderer.Render(alert, "trigger", SampleAlerts.OnCall, drill: false).Payload.GetProperty("payload");

        Assert.Equal("123456789012/us-east-1", payload.GetProperty("source").GetString());
        Assert.Equal("dlq", payload.GetProperty("class").GetString());
        Assert.Equal("orders", payload.GetProperty("component").GetString());
    }

    [Fact]
    public void Render_WhenLinkIsNotHttp_ShouldLeaveItOutOfEveryChannel()
    {
        var alert = SampleAlerts.Firing() with
        {
            Links = [new("Click me", "javascript:alert(1)"), new("Relative", "/runbooks/x"), new("Runbook", "https://runbooks.example.com/x")],
        };

        foreach (var receiver in new[] { SampleAlerts.Team, SampleAlerts.OnCall, SampleAlerts.Email, SampleAlerts.Hook })
        {
            var raw = DeliveryRenderer.Render(alert, "trigger", receiver, drill: false).Payload.GetRawText();
            Assert.DoesNotContain("javascript:", raw, StringComparison.Ordinal);
            Assert.DoesNotContain("Click me", raw, StringComparison.Ordinal);
            Assert.DoesNotContain("Relative", raw, StringComparison.Ordinal);
            Assert.Contains("https://runbooks.example.com/x", raw, StringComparison.Ordinal);
        }
    }
}
