using System.Text;
using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>Digests: one notification for a group, worst first, within every channel's limits, hostile text inert.</summary>
public class DigestRendererTests
{
    private const string Marker = "...[truncated]";

    private static readonly ReceiverConfig[] Receivers = [SampleAlerts.Team, SampleAlerts.OnCall, SampleAlerts.Email, SampleAlerts.Hook];

    [Theory]
    [InlineData("team", "slack", "/ops/slack/team", null, JsonValueKind.Object)]
    [InlineData("oncall", "pagerduty", "/ops/pagerduty/routing-key", null, JsonValueKind.Object)]
    [InlineData("email", "sns", null, "arn:aws:sns:us-east-1:123456789012:ops-email", JsonValueKind.String)]
    [InlineData("hook", "webhook", "/ops/webhook/incidents", null, JsonValueKind.Object)]
    public void RenderDigest_WhenReceiverHasChannel_ShouldBeADigestKeyedByTheGroup(string receiver, string channel, string? parameter, string? topicArn, JsonValueKind payloadKind)
    {
        var config = Receivers.Single(r => r.Name == receiver);

        var delivery = Digest(SampleDigests.Three(), config, drill: true);

        Assert.Equal(("digest", receiver, channel, true), (delivery.Action, delivery.Receiver, delivery.Channel, delivery.Drill));
        Assert.Equal((parameter, topicArn), (delivery.Target.Parameter, delivery.Target.TopicArn));
        Assert.Equal(payloadKind, delivery.Payload.ValueKind);
        Assert.Equal(channel == "sns", delivery.Subject is not null);
        Assert.Equal(SampleDigests.GroupKey, delivery.AlertKey);
        Assert.Equal(SampleDigests.GroupKey, delivery.DedupKey);
    }

    [Fact]
    public void RenderDigest_WhenGroupKeyIsLong_ShouldKeepItAsAlertKeyAndHashTheDedupKeyEverywhere()
    {
        var groupKey = "root/0:{queue=\"" + new string('q', 400) + "\"}";

        var pagerDuty = DeliveryRenderer.RenderDigest(groupKey, SampleDigests.GroupLabels, SampleDigests.Three(), SampleAlerts.OnCall, drill: false);
        var webhook = DeliveryRenderer.RenderDigest(groupKey, SampleDigests.GroupLabels, SampleDigests.Three(), SampleAlerts.Hook, drill: false);

        Assert.Equal(groupKey, pagerDuty.AlertKey);
        Assert.Equal(DedupKeys.For(groupKey), pagerDuty.DedupKey);
        Assert.Equal(255, pagerDuty.DedupKey.Length);
        Assert.Equal(pagerDuty.DedupKey, pagerDuty.Payload.GetProperty("dedup_key").GetString());
        Assert.Equal(pagerDuty.DedupKey, webhook.Payload.GetProperty("dedupKey").GetString());
        Assert.Equal(groupKey, webhook.Payload.GetProperty("groupKey").GetString());
    }

    [Fact]
    public void RenderDigest_WhenNoAlerts_ShouldThrowNamingTheGroup()
    {
        var ex = Assert.Throws<ArgumentException>(() => Digest([], SampleAlerts.Team));

        Assert.Contains("A digest needs at least one alert; group 'root/0:{service=\"checkout\"}' has none.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderDigest_WhenGroupKeyIsEmpty_ShouldThrow()
    {
        Assert.Throws<ArgumentException>(() => DeliveryRenderer.RenderDigest("", SampleDigests.GroupLabels, SampleDigests.Three(), SampleAlerts.Team, drill: false));
    }

    [Fact]
    public void RenderDigest_WhenReceiverHasNoChannel_ShouldThrowNamingTheReceiver()
    {
        var ex = Assert.Throws<ArgumentException>(() => Digest(SampleDigests.Three(), new ReceiverConfig { Name = "nowhere" }));

        Assert.Contains("Receiver 'nowhere' has no channel configured.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderDigest_WhenPagerDuty_ShouldTriggerAtWorstSeverityWithoutRoutingKey()
    {
        var payload = Digest(SampleDigests.Three(), SampleAlerts.OnCall).Payload;
        var raw = payload.GetRawText();

        Assert.Equal("trigger", payload.GetProperty("event_action").GetString());
        Assert.Equal("critical", payload.GetProperty("payload").GetProperty("severity").GetString());
        Assert.DoesNotContain("routing_key", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("routingKey", raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("warning,info,low", "warning")]
    [InlineData("info,high,medium", "error")]
    [InlineData("low,info", "info")]
    [InlineData("sev1,low", "warning")]
    [InlineData("low,critical", "critical")]
    public void RenderDigest_WhenSeveritiesMixed_ShouldShowTheWorstOnEveryChannel(string severities, string worst)
    {
        var alerts = severities.Split(',').Select((s, i) => SampleDigests.Alarm($"alarm-{i}", s, $"summary {i}", i)).ToList();

        Assert.Equal(worst, Digest(alerts, SampleAlerts.OnCall).Payload.GetProperty("payload").GetProperty("severity").GetString());
        Assert.Equal(worst, Digest(alerts, SampleAlerts.Hook).Payload.GetProperty("worstSeverity").GetString());
        Assert.Contains($"\nWorst severity: {worst}\n", Digest(alerts, SampleAlerts.Email).Payload.GetString(), StringComparison.Ordinal);
        Assert.Equal($"*Worst severity*\n{worst}", Slack(alerts)[1].GetProperty("fields")[1].GetProperty("text").GetString());
    }

    [Fact]
    public void RenderDigest_WhenAlertsGivenInAnyOrder_ShouldListWorstSeverityFirstThenByName()
    {
        List<Alert> alerts =
        [
            SampleDigests.Alarm("b-info", "info", "s", 1),
            SampleDigests.Alarm("b-unknown", "sev1", "s", 2),
            SampleDigests.Alarm("c-high", "high", "s", 3),
            SampleDigests.Alarm("a-low", "low", "s", 4),
            SampleDigests.Alarm("z-critical", "critical", "s", 5),
            SampleDigests.Alarm("a-warning", "warning", "s", 6),
        ];

        var names = Digest(alerts, SampleAlerts.Hook).Payload.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("name").GetString());

        Assert.Equal(["z-critical", "c-high", "a-warning", "b-unknown", "a-low", "b-info"], names);
    }

    [Fact]
    public void RenderDigest_WhenGroupIsMixed_ShouldCountEachStatus()
    {
        var three = SampleDigests.Three();
        List<Alert> alerts =
        [
            three[0],
            three[1],
            three[2] with { Status = AlertStatus.Resolved, State = AlarmState.Ok },
            SampleDigests.Alarm("checkout-no-data", "info", "no datapoints", 30) with { Status = AlertStatus.Unknown, State = AlarmState.InsufficientData },
        ];

        var slack = Digest(alerts, SampleAlerts.Team).Payload;
        var pagerDuty = Digest(alerts, SampleAlerts.OnCall).Payload.GetProperty("payload");
        var sns = Digest(alerts, SampleAlerts.Email);
        var webhook = Digest(alerts, SampleAlerts.Hook).Payload;

        Assert.Equal(":rotating_light: [FIRING x2, RESOLVED x1, UNKNOWN x1] service=checkout", slack.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
        Assert.StartsWith("4 alerts (2 firing, 1 resolved, 1 unknown) for service=checkout: checkout-api-5xx, ", pagerDuty.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("[FIRING x2, RESOLVED x1, UNKNOWN x1] service=checkout", sns.Subject);
        Assert.Contains("- [info] checkout-no-data (INSUFFICIENT_DATA): no datapoints <https://", sns.Payload.GetString(), StringComparison.Ordinal);
        Assert.Equal((4, 2, 1), (webhook.GetProperty("count").GetInt32(), webhook.GetProperty("firing").GetInt32(), webhook.GetProperty("resolved").GetInt32()));
        Assert.Equal(["firing", "firing", "resolved", "unknown"], webhook.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("status").GetString()).Order());
    }

    [Theory]
    [InlineData(AlertStatus.Resolved, ":white_check_mark: [RESOLVED x3] service=checkout")]
    [InlineData(AlertStatus.Unknown, ":grey_question: [UNKNOWN x3] service=checkout")]
    public void RenderDigest_WhenNothingFires_ShouldNotUseTheFiringEmoji(AlertStatus status, string header)
    {
        var alerts = SampleDigests.Three().Select(a => a with { Status = status }).ToList();

        Assert.Equal(header, Slack(alerts)[0].GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public void RenderDigest_WhenOneAlert_ShouldSayAlertInTheSingular()
    {
        var summary = Digest([SampleAlerts.Firing()], SampleAlerts.OnCall).Payload.GetProperty("payload").GetProperty("summary").GetString();

        Assert.Equal("1 alert firing for service=checkout: checkout-api-5xx", summary);
    }

    [Fact]
    public void RenderDigest_WhenRouteGroupsByNothing_ShouldLeaveTheGroupOut()
    {
        var empty = new Dictionary<string, string>();

        var slack = DeliveryRenderer.RenderDigest("root:{}", empty, SampleDigests.Three(), SampleAlerts.Team, drill: false).Payload.GetProperty("blocks");
        var pagerDuty = DeliveryRenderer.RenderDigest("root:{}", empty, SampleDigests.Three(), SampleAlerts.OnCall, drill: false).Payload.GetProperty("payload");
        var sns = DeliveryRenderer.RenderDigest("root:{}", empty, SampleDigests.Three(), SampleAlerts.Email, drill: false);

        Assert.Equal(":rotating_light: [FIRING x3]", slack[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal(2, slack[1].GetProperty("fields").GetArrayLength());
        Assert.StartsWith("3 alerts firing: checkout-api-5xx, ", pagerDuty.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.False(pagerDuty.TryGetProperty("component", out _));
        Assert.Equal("[FIRING x3]", sns.Subject);
        Assert.StartsWith("3 alerts firing\n", sns.Payload.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RenderDigest_WhenGroupLabelsAreUnordered_ShouldShowThemInKeyOrder()
    {
        var labels = new Dictionary<string, string> { ["team"] = "payments", ["env"] = "prod" };

        var sns = DeliveryRenderer.RenderDigest("root:{env=\"prod\",team=\"payments\"}", labels, SampleDigests.Three(), SampleAlerts.Email, drill: false);

        Assert.Equal("[FIRING x3] env=prod, team=payments", sns.Subject);
    }

    [Fact]
    public void RenderDigest_WhenLinksAreMissingOrNotWeb_ShouldListTheAlertWithoutALink()
    {
        List<Alert> alerts =
        [
            SampleDigests.Alarm("no-links", "critical", "s", 1) with { Links = [] },
            SampleDigests.Alarm("bad-link", "error", "s", 2) with { Links = [new("Alarm", "javascript:alert(1)")] },
        ];

        var slack = Slack(alerts);
        var raw = string.Join("\n", Receivers.Select(r => Digest(alerts, r).Payload.GetRawText()));

        Assert.Equal("*no-links* · ALARM · critical\ns", slack[3].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("*bad-link* · ALARM · error\ns", slack[4].GetProperty("text").GetProperty("text").GetString());
        Assert.DoesNotContain("javascript:", raw, StringComparison.Ordinal);
        Assert.Equal(0, Digest(alerts, SampleAlerts.OnCall).Payload.GetProperty("links").GetArrayLength());
    }

    [Fact]
    public void RenderDigest_WhenSixtyAlerts_ShouldListTwentyAndCountTheRestOnEveryChannel()
    {
        var alerts = SampleDigests.Sixty();

        var slack = Digest(alerts, SampleAlerts.Team).Payload.GetProperty("blocks");
        var pagerDuty = Digest(alerts, SampleAlerts.OnCall).Payload;
        var sns = Digest(alerts, SampleAlerts.Email).Payload.GetString()!;
        var webhook = Digest(alerts, SampleAlerts.Hook).Payload;

        Assert.Equal(25, slack.GetArrayLength()); // header, fields, "New (60)", 20 alerts, "and more", group key
        Assert.Equal("*New (60)*", slack[2].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("… and 40 more", slack[23].GetProperty("elements")[0].GetProperty("text").GetString());
        Assert.EndsWith(", … and 40 more", pagerDuty.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(20, pagerDuty.GetProperty("payload").GetProperty("custom_details").GetProperty("alerts").GetArrayLength());
        Assert.Equal(40, pagerDuty.GetProperty("payload").GetProperty("custom_details").GetProperty("omitted").GetInt32());
        Assert.Equal(5, pagerDuty.GetProperty("links").GetArrayLength());
        Assert.Equal(20, sns.Split('\n').Count(l => l.StartsWith("- [", StringComparison.Ordinal)));
        Assert.Contains("\n… and 40 more\n", sns, StringComparison.Ordinal);
        Assert.Equal((60, 20, 40), (webhook.GetProperty("count").GetInt32(), webhook.GetProperty("alerts").GetArrayLength(), webhook.GetProperty("omitted").GetInt32()));
    }

    [Fact]
    public void RenderDigest_WhenNamesFillThePagerDutySummary_ShouldListWholeNamesAndCountTheRest()
    {
        var alerts = Enumerable.Range(0, 30).Select(i => SampleDigests.Alarm($"{i:D2}-" + new string('n', 97), "warning", "s", i)).ToList();

        var summary = Digest(alerts, SampleAlerts.OnCall).Payload.GetProperty("payload").GetProperty("summary").GetString()!;

        // 39 characters of prefix, then 100-character names joined by ", ": nine fit with room for the suffix.
        Assert.True(summary.Length <= 1_024, $"{summary.Length}");
        Assert.Matches(@"^30 alerts firing for service=checkout: (\d\d-n{97}, ){9}… and 21 more$", summary);
        Assert.DoesNotContain(Marker, summary, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderDigest_WhenEveryTextIsHuge_ShouldRespectEveryChannelLimit()
    {
        var labels = Enumerable.Range(0, 20).ToDictionary(i => $"label{i:D2}", _ => new string('v', 5_000));
        var groupKey = "root:{" + new string('k', 1_000) + "}";
        var alerts = Enumerable.Range(0, 1_000)
            .Select(i => SampleDigests.Alarm($"{i:D4}" + new string('&', 10_000), "critical", new string('<', 10_000), i % 60) with
            {
                Links = [new("Alarm", "https://example.com/?" + string.Concat(Enumerable.Repeat("a&", 196)))], // 1,197 characters once & is &amp;
            })
            .ToList();

        var slack = DeliveryRenderer.RenderDigest(groupKey, labels, alerts, SampleAlerts.Team, drill: true).Payload;
        var pagerDuty = DeliveryRenderer.RenderDigest(groupKey, labels, alerts, SampleAlerts.OnCall, drill: true).Payload;
        var sns = DeliveryRenderer.RenderDigest(groupKey, labels, alerts, SampleAlerts.Email, drill: true);
        var webhook = DeliveryRenderer.RenderDigest(groupKey, labels, alerts, SampleAlerts.Hook, drill: true).Payload;

        var blocks = slack.GetProperty("blocks");
        Assert.Equal(26, blocks.GetArrayLength()); // drill notice, header, fields, "New (1000)", 20 alerts, "and more", group key
        Assert.True(slack.GetProperty("text").GetString()!.Length <= 3_000);
        Assert.True(blocks[1].GetProperty("text").GetProperty("text").GetString()!.Length <= 150);
        Assert.All(blocks[2].GetProperty("fields").EnumerateArray(), f => Assert.True(f.GetProperty("text").GetString()!.Length <= 2_000));
        for (var i = 4; i < 24; i++)
        {
            var text = blocks[i].GetProperty("text").GetProperty("text").GetString()!;
            Assert.True(text.Length <= 3_000, $"{text.Length}");
            Assert.EndsWith(Marker, text, StringComparison.Ordinal);

            // The cut shortens only the summary: the link with its escaped name (capped at 256 characters) is whole.
            Assert.Matches(@"^\*<https://example\.com/\?(a&amp;){196}\|\d{4}(&amp;){238}\.\.\.\[truncated\]>\* · ALARM · critical\n(&lt;)+\.\.\.\[truncated\]$", text);
        }

        var summary = pagerDuty.GetProperty("payload").GetProperty("summary").GetString()!;
        Assert.True(summary.Length <= 1_024);
        Assert.EndsWith(Marker, summary, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(pagerDuty.GetRawText()) <= 512 * 1024);

        Assert.True(sns.Subject!.Length <= 100);
        Assert.All(sns.Subject, c => Assert.InRange(c, ' ', '~'));
        Assert.True(Encoding.UTF8.GetByteCount(sns.Payload.GetString()!) <= 256 * 1024);
        Assert.Contains("\n… and 980 more\n", sns.Payload.GetString(), StringComparison.Ordinal);

        Assert.Equal(20, webhook.GetProperty("alerts").GetArrayLength());
        Assert.Equal(980, webhook.GetProperty("omitted").GetInt32());
        Assert.Equal(500, webhook.GetProperty("alerts")[0].GetProperty("summary").GetString()!.Length);
        Assert.True(Encoding.UTF8.GetByteCount(webhook.GetRawText()) < 256 * 1024);
    }

    [Theory]
    [InlineData(2_000, "p", false)] // too long anywhere
    [InlineData(300, "a&", true)] // 620 characters: fits as data, but is 1,520 once Slack's &amp; is applied
    public void RenderDigest_WhenAlertLinkIsTooLongForSlack_ShouldShowTheNameWithoutIt(int repeat, string piece, bool elsewhere)
    {
        var href = "https://example.com/?" + string.Concat(Enumerable.Repeat(piece, repeat));
        var alerts = new[] { SampleDigests.Alarm("long-link", "critical", "s", 1) with { Links = [new("Alarm", href)] } };

        Assert.Equal("*long-link* · ALARM · critical\ns", Slack(alerts)[3].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal(elsewhere, Digest(alerts, SampleAlerts.Email).Payload.GetString()!.Contains($" <{href}>", StringComparison.Ordinal));
        Assert.Equal(elsewhere, Digest(alerts, SampleAlerts.Hook).Payload.GetProperty("alerts")[0].TryGetProperty("link", out _));
    }

    [Fact]
    public void RenderDigest_WhenAlertKeysOverflowPagerDuty_ShouldDropTheListButKeepSummaryAndLinks()
    {
        var alerts = SampleDigests.Sixty().Select(a => a with { Key = a.Key + "/" + new string('x', 30_000) }).ToList();

        var payload = Digest(alerts, SampleAlerts.OnCall).Payload;

        Assert.True(Encoding.UTF8.GetByteCount(payload.GetRawText()) <= 512 * 1024);
        var details = payload.GetProperty("payload").GetProperty("custom_details");
        Assert.False(details.TryGetProperty("alerts", out _));
        Assert.Equal(Marker + " the alert list exceeded the PagerDuty body limit", details.GetProperty("truncated").GetString());
        Assert.Equal(60, details.GetProperty("count").GetInt32());
        Assert.EndsWith(", … and 40 more", payload.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, payload.GetProperty("links").GetArrayLength());
    }

    public static TheoryData<string, string> HostileNames => new()
    {
        { "<!channel> checkout", "&lt;!channel&gt; checkout" },
        { "ask <@U123ABC> & co", "ask &lt;@U123ABC&gt; &amp; co" },
        { "<https://evil.example|ok>", "&lt;https://evil.example|ok&gt;" },
        { "bell\u0007 line\r\nbreak \u202Egnp", "bell line break gnp" },
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void RenderDigest_WhenAlertNameIsHostile_ShouldEscapeItInSlackEntryAndSummary(string name, string expected)
    {
        var alerts = new[] { SampleDigests.Alarm(name, "critical", name, 1) with { Links = [] } };

        var blocks = Slack(alerts);

        Assert.Equal($"*{expected}* · ALARM · critical\n{expected}", blocks[3].GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public void RenderDigest_WhenAStillFiringNameIsHostile_ShouldEscapeItInSlackAndKeepItOneLineElsewhere()
    {
        var members = new[] { new DigestMember(SampleDigests.Three()[0], DeliveryActions.Trigger) };
        var others = new StillFiring([new("0A", "<!channel>\nping & co", "HIGH")], 0);

        var slack = DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, members, others, SampleAlerts.Team, drill: false).Payload.GetProperty("blocks");
        var sns = DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, members, others, SampleAlerts.Email, drill: false).Payload.GetString()!;

        Assert.Equal("&lt;!channel&gt; ping &amp; co (error)", slack[5].GetProperty("text").GetProperty("text").GetString());
        Assert.Contains("\nStill firing (1):\n- [error] <!channel> ping & co\n", sns, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderDigest_WhenAlertNameIsHostileInsideLink_ShouldKeepOneRealLinkWithEscapedText()
    {
        var alerts = new[] { SampleDigests.Alarm("<!here> x|y", "critical", "s", 1) with { Links = [new("Alarm", "https://example.com/a b?x=<y>&z=1|2")] } };

        Assert.Equal(
            "*<https://example.com/a%20b?x=%3Cy%3E&amp;z=1%7C2|&lt;!here&gt; x|y>* · ALARM · critical\ns",
            Slack(alerts)[3].GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public void RenderDigest_WhenGroupLabelsAndKeyAreHostile_ShouldEscapeThemInSlackAndMakeSnsSubjectAscii()
    {
        var labels = new Dictionary<string, string> { ["service"] = "<!channel> chéckout\n🔥" };
        const string groupKey = "root/0:{service=\"<!channel>\"}";

        var slack = DeliveryRenderer.RenderDigest(groupKey, labels, SampleDigests.Three(), SampleAlerts.Team, drill: false).Payload;
        var sns = DeliveryRenderer.RenderDigest(groupKey, labels, SampleDigests.Three(), SampleAlerts.Email, drill: false);
        var pagerDuty = DeliveryRenderer.RenderDigest(groupKey, labels, SampleDigests.Three(), SampleAlerts.OnCall, drill: false).Payload;

        var blocks = slack.GetProperty("blocks");
        Assert.Equal(":rotating_light: [FIRING x3] service=&lt;!channel&gt; chéckout 🔥", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("*Group*\nservice=&lt;!channel&gt; chéckout 🔥", blocks[1].GetProperty("fields")[2].GetProperty("text").GetString());
        Assert.Equal("Group key: root/0:{service=\"&lt;!channel&gt;\"}", blocks[blocks.GetArrayLength() - 1].GetProperty("elements")[0].GetProperty("text").GetString());
        Assert.StartsWith(":rotating_light: [FIRING x3] service=&lt;!channel&gt; chéckout 🔥: ", slack.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("<!channel>", slack.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("[FIRING x3] service=<!channel> ch?ckout ?", sns.Subject);
        Assert.StartsWith("3 alerts firing for service=<!channel> chéckout 🔥: ", pagerDuty.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RenderDigest_WhenAlertTextIsHostile_ShouldStripControlsButNotEscapeOutsideSlack()
    {
        var alerts = new[] { SampleDigests.Alarm("<!channel> a\u0007\r\nb", "critical", "x & <y>\u001b", 1) };

        var pagerDuty = Digest(alerts, SampleAlerts.OnCall).Payload.GetProperty("payload");
        var sns = Digest(alerts, SampleAlerts.Email).Payload.GetString()!;
        var webhook = Digest(alerts, SampleAlerts.Hook).Payload.GetProperty("alerts")[0];

        Assert.Equal("1 alert firing for service=checkout: <!channel> a b", pagerDuty.GetProperty("summary").GetString());
        Assert.Equal("x & <y>", pagerDuty.GetProperty("custom_details").GetProperty("alerts")[0].GetProperty("summary").GetString());
        Assert.Contains("\n- [critical] <!channel> a b (ALARM): x & <y> <https://", sns, StringComparison.Ordinal);
        Assert.Equal(("<!channel> a b", "x & <y>"), (webhook.GetProperty("name").GetString(), webhook.GetProperty("summary").GetString()));
    }

    [Fact]
    public void RenderDigest_WhenDrill_ShouldMarkEveryChannelAndNameTheReplay()
    {
        var alerts = SampleDigests.Three().Select(a => a with { ReplayName = "<!channel> day" }).ToList();

        var slack = DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, alerts, SampleAlerts.Team, drill: true).Payload;
        var pagerDuty = DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, alerts, SampleAlerts.OnCall, drill: true).Payload.GetProperty("payload");
        var sns = DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, alerts, SampleAlerts.Email, drill: true);
        var webhook = DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, alerts, SampleAlerts.Hook, drill: true).Payload;

        var blocks = slack.GetProperty("blocks");
        Assert.StartsWith("[DRILL] ", slack.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(":test_tube: *DRILL* (replay &lt;!channel&gt; day): a rehearsal, not a live incident. No action needed.", blocks[0].GetProperty("elements")[0].GetProperty("text").GetString());
        Assert.Equal("[DRILL] :rotating_light: [FIRING x3] service=checkout", blocks[1].GetProperty("text").GetProperty("text").GetString());
        Assert.StartsWith("[DRILL] 3 alerts firing for service=checkout: ", pagerDuty.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.True(pagerDuty.GetProperty("custom_details").GetProperty("drill").GetBoolean());
        Assert.Equal("<!channel> day", pagerDuty.GetProperty("custom_details").GetProperty("replayName").GetString());
        Assert.Equal("[DRILL] [FIRING x3] service=checkout", sns.Subject);
        Assert.StartsWith("DRILL (replay <!channel> day): a rehearsal, not a live incident. No action needed.\n3 alerts firing", sns.Payload.GetString(), StringComparison.Ordinal);
        Assert.True(webhook.GetProperty("drill").GetBoolean());
        Assert.Equal("<!channel> day", webhook.GetProperty("replayName").GetString());
    }

    [Fact]
    public void RenderDigest_WhenNotDrill_ShouldCarryNoDrillMarker()
    {
        foreach (var receiver in Receivers)
        {
            var delivery = Digest(SampleDigests.Three(), receiver);

            Assert.False(delivery.Drill);
            Assert.DoesNotContain("DRILL", delivery.Payload.GetRawText(), StringComparison.Ordinal);
            Assert.DoesNotContain("DRILL", delivery.Subject ?? string.Empty, StringComparison.Ordinal);
        }
    }

    private static Delivery Digest(IReadOnlyList<Alert> alerts, ReceiverConfig receiver, bool drill = false) =>
        DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, alerts, receiver, drill);

    private static JsonElement Slack(IReadOnlyList<Alert> alerts) => Digest(alerts, SampleAlerts.Team).Payload.GetProperty("blocks");
}
