using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>Untrusted alarm text must never ping a channel, disguise a link or smuggle control characters.</summary>
public class SlackEscapingTests
{
    public static TheoryData<string, string> MultiLineCases => new()
    {
        { "<!channel> checkout is down", "&lt;!channel&gt; checkout is down" },
        { "ask <@U123ABC> now", "ask &lt;@U123ABC&gt; now" },
        { "<!subteam^S123|@oncall>", "&lt;!subteam^S123|@oncall&gt;" },
        { "<https://evil.example|ok>", "&lt;https://evil.example|ok&gt;" },
        { "fish & chips", "fish &amp; chips" },
        { "already &amp; escaped", "already &amp;amp; escaped" },
        { "a > b < c", "a &gt; b &lt; c" },
        { "bell\u0007 esc\u001b[31m del\u007f c1\u0085 nul\u0000!", "bell esc[31m del c1 nul!" },
        { "line1\r\nline2\ttab", "line1\nline2\ttab" },
        { "rtl \u202Egnp.exe\u202C \u2066iso\u2069", "rtl gnp.exe iso" },
        { "🔥 checkout 𝔘nicode ✓ é", "🔥 checkout 𝔘nicode ✓ é" },
        { "lone \uD83D surrogate", "lone \uFFFD surrogate" },
    };

    public static TheoryData<string, string> OneLineCases => new()
    {
        { "<!here> 5xx", "&lt;!here&gt; 5xx" },
        { "line1\r\nline2\t\ttab", "line1 line2 tab" },
        { "a\u0007b & <c>", "ab &amp; &lt;c&gt;" },
        { "🔥 name", "🔥 name" },
    };

    [Theory]
    [MemberData(nameof(MultiLineCases))]
    public void Render_WhenSummaryIsUntrusted_ShouldEscapeSummarySection(string summary, string expected)
    {
        var blocks = Slack(SampleAlerts.Firing() with { Summary = summary, Description = null });

        Assert.Equal(expected, BlockText(blocks, "section", 0));
    }

    [Theory]
    [MemberData(nameof(MultiLineCases))]
    public void Render_WhenReasonIsUntrusted_ShouldEscapeReasonContext(string reason, string expected)
    {
        var blocks = Slack(SampleAlerts.Firing() with { Reason = reason });

        Assert.Equal("*Reason:* " + expected, ContextText(blocks, 0));
    }

    [Theory]
    [MemberData(nameof(OneLineCases))]
    public void Render_WhenAlarmNameIsUntrusted_ShouldEscapeHeaderFieldAndFallback(string name, string expected)
    {
        var payload = SlackPayload(SampleAlerts.Firing() with { Name = name, Summary = name });
        var blocks = payload.GetProperty("blocks");

        Assert.Equal($":rotating_light: FIRING: {expected}", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal($"*Alarm*\n{expected}", blocks[2].GetProperty("fields")[3].GetProperty("text").GetString());
        Assert.Equal($":rotating_light: FIRING [critical] {expected}", payload.GetProperty("text").GetString());
    }

    [Theory]
    [MemberData(nameof(MultiLineCases))]
    public void Render_WhenDescriptionIsUntrusted_ShouldEscapeAfterSummary(string description, string expected)
    {
        var blocks = Slack(SampleAlerts.Firing() with { Summary = "s", Description = description });

        Assert.Equal("s\n" + expected, BlockText(blocks, "section", 0));
    }

    [Fact]
    public void Render_WhenLinkTextAndUrlAreHostile_ShouldKeepOneRealLinkWithEscapedText()
    {
        var alert = SampleAlerts.Firing() with
        {
            Links = [new("<!channel> runbook|x", "https://example.com/a b?x=<y>&z=1|2")],
        };

        var blocks = Slack(alert);

        Assert.Equal("<https://example.com/a%20b?x=%3Cy%3E&amp;z=1%7C2|&lt;!channel&gt; runbook|x>", BlockText(blocks, "section", 1));
    }

    [Fact]
    public void Render_WhenLinkHasNoText_ShouldShowBareUrl()
    {
        var blocks = Slack(SampleAlerts.Firing() with { Links = [new("", "https://example.com/x")] });

        Assert.Equal("<https://example.com/x>", BlockText(blocks, "section", 1));
    }

    [Fact]
    public void Render_WhenDrill_ShouldMarkTextHeaderAndLeadingBlock()
    {
        var payload = SlackPayload(SampleAlerts.Replayed() with { ReplayName = "<!channel> day" }, drill: true);
        var blocks = payload.GetProperty("blocks");

        Assert.StartsWith("[DRILL] ", payload.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(":test_tube: *DRILL* (replay &lt;!channel&gt; day): a rehearsal, not a live incident. No action needed.", ContextText(blocks, 0));
        Assert.Equal("[DRILL] :rotating_light: FIRING: checkout-api-5xx", blocks[1].GetProperty("text").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("<!channel> & co\u0007\r\nnext", "<!channel> & co next")]
    [InlineData("🔥 burning", "🔥 burning")]
    public void Render_WhenPagerDuty_ShouldStripControlCharactersButNotEscape(string summary, string expected)
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing() with { Summary = summary }, "trigger", SampleAlerts.OnCall, drill: false);

        Assert.Equal(expected, delivery.Payload.GetProperty("payload").GetProperty("summary").GetString());
    }

    [Fact]
    public void Render_WhenSnsReasonHasControlCharacters_ShouldStripThemAndKeepLines()
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing() with { Reason = "first\u0007\r\nsecond\u001b" }, "trigger", SampleAlerts.Email, drill: false);

        Assert.Contains("\nReason: first\nsecond\n", delivery.Payload.GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("checkout-api-5xx", "[ALARM] checkout-api-5xx (us-east-1)")]
    [InlineData("line\r\nbreak\ttab", "[ALARM] line break tab (us-east-1)")]
    [InlineData("bell\u0007name", "[ALARM] bellname (us-east-1)")]
    [InlineData("🔥 café", "[ALARM] ? caf? (us-east-1)")]
    [InlineData("<!channel>", "[ALARM] <!channel> (us-east-1)")]
    public void Render_WhenSns_ShouldMakeSubjectPrintableAscii(string name, string expected)
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing() with { Name = name }, "trigger", SampleAlerts.Email, drill: false);

        Assert.Equal(expected, delivery.Subject);
    }

    private static JsonElement SlackPayload(Alert alert, bool drill = false) =>
        DeliveryRenderer.Render(alert, "trigger", SampleAlerts.Team, drill).Payload;

    private static JsonElement Slack(Alert alert) => SlackPayload(alert).GetProperty("blocks");

    /// <summary>The text of the n-th block of this type that has a single text (not fields).</summary>
    private static string BlockText(JsonElement blocks, string type, int n) =>
        blocks.EnumerateArray()
            .Where(b => b.GetProperty("type").GetString() == type && b.TryGetProperty("text", out _))
            .ElementAt(n)
            .GetProperty("text").GetProperty("text").GetString()!;

    private static string ContextText(JsonElement blocks, int n) =>
        blocks.EnumerateArray()
            .Where(b => b.GetProperty("type").GetString() == "context")
            .ElementAt(n)
            .GetProperty("elements")[0].GetProperty("text").GetString()!;
}
