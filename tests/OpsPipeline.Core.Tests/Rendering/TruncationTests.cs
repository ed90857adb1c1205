using System.Text;
using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Notifiers.Slack;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>Every channel limit holds for oversized input, and a cut is always marked.</summary>
public class TruncationTests
{
    private const string Marker = "...[truncated]";

    [Fact]
    public void Marker_ShouldBeTheOneAsciiMarker()
    {
        Assert.Equal(Marker, Truncation.Marker);
    }

    [Theory]
    [InlineData("short", 20, "short")]
    [InlineData("exactly-twenty-chars", 20, "exactly-twenty-chars")]
    [InlineData("exactly-twenty-chars!", 20, "exactl" + Marker)]
    public void ToChars_WhenLimitGiven_ShouldCutAndMark(string text, int max, string expected)
    {
        Assert.Equal(expected, Truncation.ToChars(text, max));
    }

    [Fact]
    public void ToChars_WhenCutFallsInsideEmoji_ShouldDropWholeEmoji()
    {
        // 6 chars kept before the marker: "abcde" + the high half of 🔥 would be invalid UTF-16.
        var result = Truncation.ToChars("abcde🔥fghijklmnopqrstuvwxyz", 6 + Marker.Length);

        Assert.Equal("abcde" + Marker, result);
    }

    [Fact]
    public void ToUtf8Bytes_WhenMultiByteText_ShouldCountBytesAndCutOnCharacters()
    {
        var text = string.Concat(Enumerable.Repeat("é🔥", 100)); // 6 bytes per pair

        var result = Truncation.ToUtf8Bytes(text, 30 + Marker.Length);

        Assert.Equal("é🔥é🔥é🔥é🔥é🔥" + Marker, result);
        Assert.True(Encoding.UTF8.GetByteCount(result) <= 30 + Marker.Length);
    }

    [Theory]
    [InlineData("abc&amp;defghijklmnopqrstuvwxyz", 5 + 14, "abc" + Marker)]
    [InlineData("abc&amp;defghijklmnopqrstuvwxyz", 8 + 14, "abc&amp;" + Marker)]
    [InlineData("ab&lt;&gt;cdefghijklmnopqrstuvwxyz", 8 + 14, "ab&lt;" + Marker)]
    [InlineData("abcdefgh&lt;ijklmnopqrstuvwxyz", 8 + 14, "abcdefgh" + Marker)]
    public void EscapedToChars_WhenCutInsideEntity_ShouldCutBeforeIt(string escaped, int max, string expected)
    {
        Assert.Equal(expected, Truncation.EscapedToChars(escaped, max));
    }

    [Fact]
    public void Render_WhenSlackTextsAreHuge_ShouldRespectEverySlackLimit()
    {
        var alert = SampleAlerts.Firing() with
        {
            Name = new string('n', 500),
            Summary = new string('s', 10_000),
            Description = new string('d', 10_000),
            Reason = new string('r', 10_000),
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["severity"] = new string('v', 5_000) },
            Links = Enumerable.Range(0, 200).Select(i => new AlertLink($"link {i}", $"https://example.com/{i}")).ToList(),
        };

        var payload = DeliveryRenderer.Render(alert, "trigger", SampleAlerts.Team, drill: true).Payload;
        var blocks = payload.GetProperty("blocks");

        AssertCut(payload.GetProperty("text").GetString()!, 3_000);
        AssertCut(blocks[1].GetProperty("text").GetProperty("text").GetString()!, 150);
        AssertCut(blocks[2].GetProperty("text").GetProperty("text").GetString()!, 3_000);
        var fields = blocks[3].GetProperty("fields");
        AssertCut(fields[0].GetProperty("text").GetString()!, 2_000);
        Assert.Equal("*Alarm*\n" + new string('n', 500), fields[3].GetProperty("text").GetString());

        AssertCut(blocks[4].GetProperty("elements")[0].GetProperty("text").GetString()!, 3_000);
        var links = blocks[5].GetProperty("text").GetProperty("text").GetString()!;
        Assert.InRange(links.Length, 3_000 - 50, 3_000); // whole links only, so the cut lands before the last one that fits
        Assert.Matches(@"^(<https://example\.com/\d+\|link \d+> · )+\.\.\.\[truncated\]$", links);
        Assert.True(blocks.GetArrayLength() <= 50);
    }

    [Fact]
    public void Render_WhenEscapingGrowsSlackText_ShouldLimitEscapedLengthWithoutHalfEntities()
    {
        var payload = DeliveryRenderer.Render(SampleAlerts.Firing() with { Summary = new string('<', 2_000), Description = null }, "trigger", SampleAlerts.Team, drill: false).Payload;

        var section = payload.GetProperty("blocks")[1].GetProperty("text").GetProperty("text").GetString()!;

        AssertCut(section, 3_000);
        Assert.Matches(@"^(&lt;)+\.\.\.\[truncated\]$", section);
    }

    [Fact]
    public void WriteTo_WhenMoreThanFiftyBlocks_ShouldKeepFortyNineAndSayHowManyWereLeftOut()
    {
        var blocks = new SlackBlocks();
        for (var i = 0; i < 60; i++)
        {
            blocks.Section($"block {i}");
        }

        var json = JsonDocument.Parse(Write(blocks.WriteTo)).RootElement.GetProperty("blocks");

        Assert.Equal(50, json.GetArrayLength());
        Assert.Equal("block 48", json[48].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal(Marker + " 11 more blocks not shown", json[49].GetProperty("elements")[0].GetProperty("text").GetString());
    }

    [Fact]
    public void WriteTo_WhenExactlyFiftyBlocks_ShouldKeepAll()
    {
        var blocks = new SlackBlocks();
        for (var i = 0; i < 50; i++)
        {
            blocks.Section($"block {i}");
        }

        var json = JsonDocument.Parse(Write(blocks.WriteTo)).RootElement.GetProperty("blocks");

        Assert.Equal(50, json.GetArrayLength());
        Assert.Equal("block 49", json[49].GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public void Render_WhenPagerDutySummaryIsLong_ShouldCutTo1024WithMarker()
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing() with { Summary = new string('s', 5_000) }, "trigger", SampleAlerts.OnCall, drill: true);

        var summary = delivery.Payload.GetProperty("payload").GetProperty("summary").GetString()!;

        AssertCut(summary, 1_024);
        Assert.StartsWith("[DRILL] sss", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WhenPagerDutyBodyWouldExceed512KB_ShouldTrimCustomDetailsFirst()
    {
        // 600 labels of 1,000 two-byte characters: about 1.2 MB of details.
        var labels = Enumerable.Range(0, 600).Select(i => new KeyValuePair<string, string>($"tag{i:D4}", new string('é', 1_000)));
        var alert = SampleAlerts.WithLabels(SampleAlerts.Firing(), labels);

        var payload = DeliveryRenderer.Render(alert, "trigger", SampleAlerts.OnCall, drill: false).Payload;

        Assert.True(Encoding.UTF8.GetByteCount(payload.GetRawText()) <= 512 * 1024);
        var details = payload.GetProperty("payload").GetProperty("custom_details");
        Assert.EndsWith(Marker, details.GetProperty("labels").GetProperty("tag0000").GetString(), StringComparison.Ordinal);
        Assert.Equal("checkout-api-5xx: 5XX errors above threshold on checkout-api", payload.GetProperty("payload").GetProperty("summary").GetString());
        Assert.Equal(2, payload.GetProperty("links").GetArrayLength());
    }

    [Fact]
    public void Render_WhenPagerDutyDetailsCannotFitEvenCut_ShouldDropThemButKeepKeyAndLinks()
    {
        var labels = Enumerable.Range(0, 3_000).Select(i => new KeyValuePair<string, string>($"tag{i:D4}", new string('v', 300)));
        var alert = SampleAlerts.WithLabels(SampleAlerts.Firing(), labels);

        var payload = DeliveryRenderer.Render(alert, "trigger", SampleAlerts.OnCall, drill: false).Payload;

        Assert.True(Encoding.UTF8.GetByteCount(payload.GetRawText()) <= 512 * 1024);
        var details = payload.GetProperty("payload").GetProperty("custom_details");
        Assert.False(details.TryGetProperty("labels", out _));
        Assert.Equal(Marker + " details exceeded the PagerDuty body limit", details.GetProperty("truncated").GetString());
        Assert.Equal(SampleAlerts.Key, details.GetProperty("alertKey").GetString());
        Assert.Equal(2, payload.GetProperty("links").GetArrayLength());
    }

    [Fact]
    public void Render_WhenSnsMessageWouldExceed256KB_ShouldCutBytesAndMark()
    {
        var labels = Enumerable.Range(0, 3_000).Select(i => new KeyValuePair<string, string>($"tag{i:D4}", string.Concat(Enumerable.Repeat("é🔥", 20))));
        var alert = SampleAlerts.WithLabels(SampleAlerts.Firing(), labels);

        var message = DeliveryRenderer.Render(alert, "trigger", SampleAlerts.Email, drill: false).Payload.GetString()!;

        Assert.True(Encoding.UTF8.GetByteCount(message) <= 256 * 1024);
        Assert.True(Encoding.UTF8.GetByteCount(message) > 256 * 1024 - 10);
        Assert.EndsWith(Marker, message, StringComparison.Ordinal);
        Assert.StartsWith("FIRING: checkout-api-5xx: 5XX errors above threshold on checkout-api\nAlarm: checkout-api-5xx\n", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WhenSnsReasonIsHuge_ShouldCapItAt4000Characters()
    {
        var message = DeliveryRenderer.Render(SampleAlerts.Firing() with { Reason = new string('r', 50_000) }, "trigger", SampleAlerts.Email, drill: false).Payload.GetString()!;

        var reasonLine = message.Split('\n').Single(l => l.StartsWith("Reason: ", StringComparison.Ordinal));
        Assert.Equal("Reason: " + new string('r', 4_000 - Marker.Length) + Marker, reasonLine);
        Assert.EndsWith("Alert key: " + SampleAlerts.Key + "\n", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "[ALARM] ")]
    [InlineData(true, "[DRILL] [ALARM] ")]
    public void Render_WhenSnsSubjectIsLong_ShouldCutTo100PrintableAscii(bool drill, string prefix)
    {
        var name = string.Concat(Enumerable.Repeat("checkout-é🔥-\n", 30));

        var subject = DeliveryRenderer.Render(SampleAlerts.Firing() with { Name = name }, "trigger", SampleAlerts.Email, drill).Subject!;

        AssertCut(subject, 100);
        Assert.StartsWith(prefix + "checkout-??- checkout", subject, StringComparison.Ordinal);
        Assert.All(subject, c => Assert.InRange(c, ' ', '~'));
    }

    private static void AssertCut(string text, int max)
    {
        Assert.True(text.Length <= max, $"{text.Length} > {max}");
        Assert.True(text.Length > max - 20, $"{text.Length} is far below {max}: cut too early");
        Assert.EndsWith(Marker, text, StringComparison.Ordinal);
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}
