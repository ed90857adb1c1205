using System.Text;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Notifiers;
using OpsPipeline.Core.Notifiers.Teams;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Tests.Rendering;
using static OpsPipeline.Core.Tests.Notifiers.Teams.TeamsSamples;

namespace OpsPipeline.Core.Tests.Notifiers.Teams;

/// <summary>The Teams channel end to end in Core: config, target, exact bodies, its 28 KB limit and its HTTP request.</summary>
public class TeamsNotifierTests
{
    private const int TeamsMessageBytes = 28_000;

    public static TheoryData<string, string, string, bool> GoldenCases => new()
    {
        // golden name, alert, action, drill
        { "teams-trigger", "firing", "trigger", false },
        { "teams-resolve", "resolved", "resolve", false },
        { "teams-trigger-drill", "replayed", "trigger", true },
        { "teams-flapping", "firing", "flapping", false },
    };

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Render_WhenSampleAlarm_ShouldMatchGoldenFile(string golden, string alert, string action, bool drill)
    {
        var sample = alert switch
        {
            "firing" => SampleAlerts.Firing(),
            "resolved" => SampleAlerts.Resolved(),
            _ => SampleAlerts.Replayed(),
        };

        GoldenFiles.AssertMatches(golden, DeliveryRenderer.Render(sample, action, Chat, drill));
    }

    [Fact]
    public void RenderDigest_WhenThreeAlerts_ShouldMatchGoldenFile()
    {
        GoldenFiles.AssertMatches("teams-digest", DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, SampleDigests.Three(), Chat, drill: false));
    }

    [Fact]
    public void Load_WhenReceiverIsTeams_ShouldReadItsParameterAndTargetIt()
    {
        var config = ConfigLoader.Load("""
            receivers:
              - name: chat
                teams: { webhookUrlParameter: /ops/teams/chat }
            route: { receiver: chat }
            """, "teams.yaml");

        var chat = config.FindReceiver("chat")!;
        Assert.Equal("teams", chat.Channel);
        Assert.Equal(new TeamsReceiver("/ops/teams/chat"), chat.Settings);
        Assert.Equal("/ops/teams/chat", DeliveryRenderer.Render(SampleAlerts.Firing(), "trigger", chat, drill: false).Target.Parameter);
        Assert.Equal(20, config.Defaults.FloodGuard.ReceiverCap("teams"));
    }

    [Theory]
    [InlineData("teams: { webhookUrlParameter: https://example.webhook.office.com/x }", 3, 35, "receivers[0].teams.webhookUrlParameter", "must be an SSM parameter name starting with '/', got 'https://example.webhook.office.com/x'")]
    [InlineData("teams: { webhookUrl: /ops/teams/chat }", 3, 14, "receivers[0].teams.webhookUrl", "unknown key 'webhookUrl' (expected one of webhookUrlParameter)")]
    [InlineData("teams: {}", 3, 12, "receivers[0].teams.webhookUrlParameter", "is required")]
    public void Load_WhenTeamsBlockIsWrong_ShouldNameTheFieldAndLine(string block, int line, int column, string field, string message)
    {
        var yaml = $"receivers:\n  - name: chat\n    {block}\nroute: {{ receiver: chat }}\n";

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(yaml, "teams.yaml"));

        // A wrong key also leaves the right one missing: that is a second error, on its own field.
        var error = Assert.Single(e.Errors, x => x.Field == field);
        Assert.Equal((line, column, field, message), (error.Line, error.Column, error.Field, error.Message));
    }

    [Fact]
    public void Render_WhenTrigger_ShouldPostOneAdaptiveCardInAMessage()
    {
        var payload = DeliveryRenderer.Render(SampleAlerts.Firing(), "trigger", Chat, drill: false).Payload;

        Assert.Equal("message", payload.GetProperty("type").GetString());
        var attachment = Assert.Single(payload.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        Assert.Equal("AdaptiveCard", attachment.GetProperty("content").GetProperty("type").GetString());
        Assert.Equal("Attention", Card(payload).GetProperty("body")[0].GetProperty("color").GetString());
    }

    [Fact]
    public void Render_WhenAlertTextsAreHuge_ShouldCutTextsToFitTheTeamsMessageLimit()
    {
        var huge = SampleAlerts.Firing() with
        {
            Name = new string('n', 5_000),
            Summary = new string('*', 20_000),
            Description = new string('é', 20_000),
            Reason = string.Concat(Enumerable.Repeat("[x](y) ", 5_000)),
            Links = [.. Enumerable.Range(0, 50).Select(i => new OpsPipeline.Core.Alerts.AlertLink($"link {i}", $"https://example.com/{i}?" + new string('q', 1_500)))],
        };

        var delivery = DeliveryRenderer.Render(huge, "trigger", Chat, drill: false);

        Assert.InRange(delivery.PayloadUtf8.Length, 1, TeamsMessageBytes);
        var texts = Texts(delivery.Payload);
        // The marker is escaped with the text it ends (Teams shows "...[truncated]").
        Assert.All(texts.Skip(1), t => Assert.EndsWith(TeamsText.Escape(Truncation.Marker), t, StringComparison.Ordinal));
        Assert.StartsWith(@"\*\*\*", texts[1], StringComparison.Ordinal); // escaped after the cut: no half escape
        Assert.Equal(5, Card(delivery.Payload).GetProperty("actions").GetArrayLength());
    }

    [Fact]
    public void Render_WhenAlertIsOrdinary_ShouldKeepItsTextsWhole()
    {
        var texts = Texts(DeliveryRenderer.Render(SampleAlerts.Firing() with { Summary = new string('s', 3_000) }, "trigger", Chat, drill: false).Payload);

        Assert.Equal(new string('s', 3_000), texts[1]);
    }

    [Fact]
    public void RenderDigest_WhenEveryTextIsHuge_ShouldFitTheTeamsMessageLimitAndCountTheRest()
    {
        var alerts = Enumerable.Range(0, 1_000)
            .Select(i => SampleDigests.Alarm($"{i:D4}" + new string('*', 10_000), "critical", new string('<', 10_000), i % 60))
            .ToList();

        var delivery = DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, alerts, Chat, drill: true);

        Assert.InRange(delivery.PayloadUtf8.Length, 1, TeamsMessageBytes);
        var texts = Texts(delivery.Payload);
        Assert.Contains(texts, t => t.Contains("and 980 more", StringComparison.Ordinal));
        Assert.Equal(20, texts.Count(t => t.StartsWith("**critical**", StringComparison.Ordinal)));
    }

    [Fact]
    public void BudgetAndFloodNotices_WhenTeams_ShouldCarryTheirSentenceEscaped()
    {
        var flood = FloodNotice.Render(Chat, heldForAlert: 2, heldForReceiver: 3, new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero), alertPerHour: 10, receiverPerMinute: 20);

        Assert.Equal(("chat", "teams", DeliveryActions.Flood), (flood.Receiver, flood.Channel, flood.Action));
        Assert.Equal(["Flood guard", TeamsText.Escape(FloodNotice.Text("chat", 2, 3, new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero), 10, 20))], Texts(flood.Payload));
    }

    [Fact]
    public void BuildRequest_WhenSecretIsAWorkflowsUrl_ShouldPostTheCardAsRendered()
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing(), "trigger", Chat, drill: false);

        var plan = TeamsNotifier.Instance.BuildRequest(delivery, "https://prod.example.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=s", new Uri("https://unused.example"))!;

        Assert.Null(plan.Problem);
        Assert.Equal("prod.example.logic.azure.com", plan.Url!.Host);
        Assert.Equal(Encoding.UTF8.GetString(delivery.PayloadUtf8.Span), plan.Body);
    }

    [Fact]
    public void BuildRequest_WhenSecretIsNotAUrl_ShouldRefuseWithoutTheSecret()
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing(), "trigger", Chat, drill: false);

        var plan = TeamsNotifier.Instance.BuildRequest(delivery, "not-a-url-secret", new Uri("https://unused.example"))!;

        Assert.Equal("parameter /ops/teams/chat does not hold an http(s) URL", plan.Problem);
        Assert.DoesNotContain("not-a-url-secret", plan.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(202, false)]
    [InlineData(400, false)]
    [InlineData(413, false)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(502, true)]
    public void IsRetryable_WhenTeamsAnswers_ShouldRetryOnlyTransientStatuses(int status, bool retryable)
    {
        Assert.Equal(retryable, NotifierRegistry.Find("teams")!.IsRetryable(status));
    }

    [Fact]
    public void Registry_WhenAsked_ShouldListTeamsLastAndAcceptLikeTheFlow()
    {
        Assert.Equal(["pagerduty", "slack", "sns", "webhook", "teams"], NotifierRegistry.Names);
        Assert.Equal((202, null, true), (TeamsNotifier.Instance.AcceptedStatus, TeamsNotifier.Instance.SecretBodyField, TeamsNotifier.Instance.SentOverHttp));
    }
}
