using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Tests.Rendering;
using static OpsPipeline.Core.Tests.Notifiers.Teams.TeamsSamples;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Notifiers.Teams;

/// <summary>Untrusted alarm text must never format, link or run a card function in a Teams Adaptive Card.</summary>
public class TeamsEscapingTests
{
    public static TheoryData<string, string> MultiLineCases => new()
    {
        { "**bold** and _italic_", @"\*\*bold\*\* and \_italic\_" },
        { "[click](https://evil.example)", @"\[click\](https://evil.example)" },
        { "<https://evil.example>", @"\<https://evil.example\>" },
        { "- not\n+ a list\n1. nor\n2) this", "\\- not\n\\+ a list\n1\\. nor\n2\\) this" },
        { "# heading\n> quote", "\\# heading\n\\> quote" },
        { "due {{DATE(2017-02-14T06:00:00Z, SHORT)}}", @"due \{\{DATE(2017-02-14T06:00:00Z, SHORT)\}\}" },
        { @"back\slash `code` ~~gone~~ a|b", @"back\\slash \`code\` \~\~gone\~\~ a\|b" },
        { "version 1.2 of checkout-api - ok", "version 1.2 of checkout-api - ok" },
        { "bell\u0007 esc\u001b[31m del\u007f nul\u0000!", @"bell esc\[31m del nul!" },
        { "rtl \u202Egnp.exe\u202C", "rtl gnp.exe" },
        { "🔥 checkout ✓ é", "🔥 checkout ✓ é" },
    };

    public static TheoryData<string, string> OneLineCases => new()
    {
        { "**checkout**", @"\*\*checkout\*\*" },
        { "line1\r\n- line2", "line1 - line2" },
        { "1. first", @"1\. first" },
        { "🔥 name", "🔥 name" },
    };

    [Theory]
    [MemberData(nameof(MultiLineCases))]
    public void Render_WhenSummaryIsUntrusted_ShouldEscapeSummaryText(string summary, string expected)
    {
        var payload = DeliveryRenderer.Render(SampleAlerts.Firing() with { Summary = summary }, "trigger", Chat, drill: false).Payload;

        Assert.Equal(expected, Texts(payload)[1]);
    }

    [Theory]
    [MemberData(nameof(MultiLineCases))]
    public void Render_WhenReasonIsUntrusted_ShouldEscapeReasonText(string reason, string expected)
    {
        var payload = DeliveryRenderer.Render(SampleAlerts.Firing() with { Reason = reason }, "trigger", Chat, drill: false).Payload;

        Assert.Equal("Reason: " + expected, Texts(payload)[^1]);
    }

    [Theory]
    [MemberData(nameof(OneLineCases))]
    public void Render_WhenAlarmNameIsUntrusted_ShouldEscapeHeadingAndFact(string name, string expected)
    {
        var payload = DeliveryRenderer.Render(SampleAlerts.Firing() with { Name = name }, "trigger", Chat, drill: false).Payload;

        Assert.Equal($"FIRING: {expected}", Texts(payload)[0]);
        Assert.Equal(expected, Facts(payload)["Alarm"]);
    }

    [Fact]
    public void Render_WhenLinksAreHostileOrNotWeb_ShouldKeepOnlyWebButtonsWithPlainTitles()
    {
        var alert = SampleAlerts.Firing() with
        {
            Links =
            [
                new("**Runbook**", "https://runbooks.example/checkout"),
                new("script", "javascript:alert(1)"),
                new("", "https://dash.example/x"),
            ],
        };

        var actions = Card(DeliveryRenderer.Render(alert, "trigger", Chat, drill: false).Payload).GetProperty("actions");

        Assert.Equal(2, actions.GetArrayLength());
        Assert.Equal(("Action.OpenUrl", "**Runbook**", "https://runbooks.example/checkout"),
            (actions[0].GetProperty("type").GetString(), actions[0].GetProperty("title").GetString(), actions[0].GetProperty("url").GetString()));
        Assert.Equal(("Open link", "https://dash.example/x"), (actions[1].GetProperty("title").GetString(), actions[1].GetProperty("url").GetString()));
    }

    [Fact]
    public void RenderDigest_WhenNamesAreUntrusted_ShouldEscapeEachListedAlert()
    {
        var alerts = SampleDigests.Three().Select((a, i) => a with { Name = $"**n{i}** [x](https://evil.example)" }).ToList();

        var texts = Texts(DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, alerts, Chat, drill: false).Payload);

        Assert.All(texts.Where(t => t.Contains("evil", StringComparison.Ordinal)), t => Assert.Contains(@"\*\*n", t, StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains("[x](", StringComparison.Ordinal));
    }
}
