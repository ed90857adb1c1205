using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Notifiers;

/// <summary>`opsctl notify test`'s message in every HTTP channel: marked [TEST], who and when, and nothing left open.</summary>
public class TestNoticeTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    private static readonly PipelineConfig Config = ConfigLoader.Load("""
        receivers:
          - name: oncall
            pagerduty: { routingKeyParameter: /ops/pagerduty/routing-key }
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
          - name: hooks
            webhook: { urlParameter: /ops/webhook/hooks }
          - name: email
            sns: { topicArn: "arn:aws:sns:us-east-1:000000000000:ops-email" }
        route:
          receiver: team
        """, "inline.yaml", new Dictionary<string, string>());

    private static ReceiverConfig Receiver(string name) => Config.Receivers.Single(r => r.Name == name);

    [Theory]
    [InlineData("alice", "[TEST] opsctl notify test from alice at 2026-12-02T03:00:00Z")]
    [InlineData("", "[TEST] opsctl notify test from unknown at 2026-12-02T03:00:00Z")]
    [InlineData("mallory\n<!channel>", "[TEST] opsctl notify test from mallory <!channel> at 2026-12-02T03:00:00Z")]
    public void Summary_WhenRendered_ShouldSayTestWhoAndWhenOnOneLine(string from, string expected) =>
        Assert.Equal(expected, TestNotice.Summary(from, At));

    [Fact]
    public void Render_WhenTheReceiverIsPagerDuty_ShouldTriggerAtSeverityInfoThenResolveTheSameDedupKey()
    {
        var deliveries = TestNotice.Render(Receiver("oncall"), "alice", At);

        Assert.Equal([DeliveryActions.Test, DeliveryActions.Resolve], deliveries.Select(d => d.Action));
        var (trigger, resolve) = (deliveries[0].Payload, deliveries[1].Payload);
        Assert.Equal(("trigger", "resolve"), (trigger.GetProperty("event_action").GetString(), resolve.GetProperty("event_action").GetString()));
        Assert.Equal(trigger.GetProperty("dedup_key").GetString(), resolve.GetProperty("dedup_key").GetString());
        Assert.Equal("info", trigger.GetProperty("payload").GetProperty("severity").GetString());
        Assert.StartsWith("[TEST] opsctl notify test from alice at 2026-12-02T03:00:00Z", trigger.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("/ops/pagerduty/routing-key", deliveries[0].Target.Parameter);
    }

    [Fact]
    public void Render_WhenTheReceiverIsSlack_ShouldSendOneMessageMarkedTest()
    {
        var delivery = Assert.Single(TestNotice.Render(Receiver("team"), "alice", At));

        Assert.Equal(
            "[TEST] opsctl notify test from alice at 2026-12-02T03:00:00Z: a test of this receiver's wiring, not an alert. No action needed.",
            delivery.Payload.GetProperty("text").GetString());
        Assert.Equal(("team", "slack", "/ops/slack/team", false), (delivery.Receiver, delivery.Channel, delivery.Target.Parameter, delivery.Drill));
    }

    [Fact]
    public void Render_WhenTheReceiverIsAWebhook_ShouldSayItsKindIsTest()
    {
        var delivery = Assert.Single(TestNotice.Render(Receiver("hooks"), "alice", At));

        Assert.Equal(("test", "1"), (delivery.Payload.GetProperty("kind").GetString(), delivery.Payload.GetProperty("version").GetString()));
    }

    [Theory]
    [InlineData("tem", "team")]
    [InlineData("oncal", "oncall")]
    [InlineData("pager", null)]
    public void NearestReceiver_WhenTheNameIsMistyped_ShouldBeTheConfiguredOneItMeant(string given, string? expected) =>
        Assert.Equal(expected, TestNotice.NearestReceiver(Config, given));

    [Fact]
    public void Render_WhenTheSenderIsVeryLong_ShouldCarryAtMostItsFirst64Characters()
    {
        var text = Assert.Single(TestNotice.Render(Receiver("hooks"), new string('a', 500), At)).Payload.GetProperty("text").GetString()!;

        Assert.Contains($"from {new string('a', TestNotice.MaxFromChars)} at", text, StringComparison.Ordinal);
    }
}
