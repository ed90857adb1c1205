using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Tests.Events;
using OpsPipeline.Core.Tests.Rendering;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Masking;

/// <summary>From event to payload: a credential in alarm text reaches no receiver, and a credential URL is never a link.</summary>
public class MaskedAlertRenderingTests
{
    private const string Password = "hunter2-Pa55";

    public static TheoryData<string> Receivers => new() { "team", "oncall", "email", "hook" };

    private static ReceiverConfig ReceiverNamed(string name) =>
        new[] { SampleAlerts.Team, SampleAlerts.OnCall, SampleAlerts.Email, SampleAlerts.Hook }.Single(r => r.Name == name);

    /// <summary>Every string of the delivery: payload (JSON-decoded, so escaping cannot hide a match) and subject.</summary>
    private static string AllText(Delivery delivery) =>
        string.Join("\n", CredentialMaskTests.Strings(delivery.Payload).Append(delivery.Subject ?? string.Empty).Append(delivery.Payload.GetRawText()));

    [Theory]
    [MemberData(nameof(Receivers))]
    public void Render_WhenTheAlarmDescriptionHoldsAKeyAWebhookAndAPassword_ShouldCarryNoneOfThem(string receiver)
    {
        var description = $"Pages checkout. Debug with {CredentialMaskTests.AccessKeyId}, post to {CredentialMaskTests.SlackWebhook} (db password={Password}).";
        var json = SampleEvents.With("cloudwatch-alarm-single-metric.json", "detail.configuration.description", JsonSerializer.Serialize(description, Alerts.TestJson.Default.String));
        json = SampleEvents.Edit(json, "detail.state.reason", JsonSerializer.Serialize($"Threshold Crossed; token={Password}", Alerts.TestJson.Default.String));
        var alert = AlertNormalizer.Normalize(EventParser.Parse(json), SampleEvents.SampleConfigRules);

        foreach (var action in new[] { DeliveryActions.Trigger, DeliveryActions.Repeat })
        {
            var text = AllText(DeliveryRenderer.Render(alert, action, ReceiverNamed(receiver), drill: false));

            Assert.DoesNotContain(CredentialMaskTests.AccessKeyId, text, StringComparison.Ordinal);
            Assert.DoesNotContain("hooks.slack.com", text, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.Contains("[masked aws-access-key-id]", text, StringComparison.Ordinal); // the reader still sees something was there
        }

        var digest = AllText(DeliveryRenderer.RenderDigest("group", new Dictionary<string, string>(), [alert, alert with { Key = alert.Key + "/2" }], ReceiverNamed(receiver), drill: false));
        Assert.DoesNotContain(Password, digest, StringComparison.Ordinal);
        Assert.DoesNotContain("hooks.slack.com", digest, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX")]
    [InlineData("https://hooks.slack.com/triggers/T0000/1234/abcdef")]
    [InlineData("https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue")]
    [InlineData("https://runbooks.example.com/page?token=abc")]
    [InlineData("https://admin:pw@runbooks.example.com/page")]
    public void Render_WhenALinkIsACredentialUrl_ShouldNeverMakeItALink(string url)
    {
        var alert = SampleAlerts.Firing() with { Links = [new AlertLink("Runbook", url)] };

        foreach (var receiver in new[] { "team", "oncall", "email", "hook" })
        {
            var text = AllText(DeliveryRenderer.Render(alert, DeliveryActions.Trigger, ReceiverNamed(receiver), drill: false));
            Assert.DoesNotContain(url, text, StringComparison.Ordinal);
        }

        Assert.Null(UntrustedText.WebUrl(url));
    }

    [Fact]
    public void WebUrl_WhenAnOrdinaryRunbook_ShouldStillBeALink()
    {
        Assert.Equal("https://runbooks.example.com/checkout/5xx?team=payments&env=prod", UntrustedText.WebUrl("https://runbooks.example.com/checkout/5xx?team=payments&env=prod"));
    }

    [Fact]
    public void Normalize_WhenTheDescriptionsOnlyUrlIsAWebhook_ShouldPromoteNoRunbook()
    {
        var json = SampleEvents.With("cloudwatch-alarm-single-metric.json", "detail.configuration.description", JsonSerializer.Serialize($"see {CredentialMaskTests.SlackWebhook}", Alerts.TestJson.Default.String));

        var alert = AlertNormalizer.Normalize(EventParser.Parse(json), []);

        Assert.DoesNotContain(alert.Links, l => l.Text == "Runbook");
        Assert.Equal("see [masked slack-webhook-url]", alert.Description);
    }

    [Fact]
    public void Normalize_WhenADeadLetteredBodyHoldsAPassword_ShouldMaskItInTheAlert()
    {
        var config = new PipelineConfig { Defaults = new Defaults(), Receivers = [], Route = new RouteConfig { Receiver = "team" } };
        var json = SampleEvents.With("dlq-message-arrived.json", "detail.bodyPreview", JsonSerializer.Serialize($"{{\"password\": \"{Password}\"}}", Alerts.TestJson.Default.String));
        json = SampleEvents.Edit(json, "detail.failure.errorMessage", JsonSerializer.Serialize($"login failed: Authorization: Bearer {Password}0123456789", Alerts.TestJson.Default.String));

        var alert = AlertNormalizer.Normalize(EventParser.Parse(json), config);

        Assert.DoesNotContain(Password, alert.Description + alert.Reason + alert.Summary, StringComparison.Ordinal);
        Assert.Contains("\"password\": \"[masked password]\"", alert.Description, StringComparison.Ordinal);
    }
}
