using System.Text.Json;

namespace OpsPipeline.Integration.Tests;

/// <summary>The README's quick start, exactly as a new user runs it: `opsctl local` on events/ with the sample config.</summary>
[Trait("Category", "Integration")]
public class QuickStartTests
{
    [Fact]
    public async Task QuickStart_WhenRunAsTheReadmeSays_ShouldMakeTheCheckoutIncidentOnePagerDutyIncidentAndOneChatMessage()
    {
        var outFile = Path.GetTempFileName();
        try
        {
            var (exit, _, err) = await CliRunner.Opsctl("local", "--out", outFile);

            Assert.True(exit == 0, err);
            var lines = (await File.ReadAllLinesAsync(outFile)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(18, lines.Count); // as the README says, and explains line by line
            Assert.Contains("18 deliveries", err, StringComparison.Ordinal);

            // PagerDuty: one incident, one trigger to open it, two updates with the same dedup_key, one resolve.
            var pages = lines.Where(l => l.GetProperty("channel").GetString() == "pagerduty").Select(l => l.GetProperty("payload")).ToList();
            Assert.All(pages, p => Assert.Equal("slo:checkout-availability", p.GetProperty("dedup_key").GetString()));
            Assert.Equal(["trigger", "trigger", "trigger", "resolve"], pages.Select(p => p.GetProperty("event_action").GetString()));
            Assert.StartsWith("checkout-api-5xx is ALARM", pages[0].GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.Equal("checkout-availability: 14.4× burn, 3.1% of the 30d budget consumed (checkout-api-5xx ALARM)", pages[1].GetProperty("payload").GetProperty("summary").GetString());

            // Chat: nothing about the checkout incident but one message stating what it cost.
            var checkoutInChat = lines.Where(l => l.GetProperty("channel").GetString() != "pagerduty"
                && l.GetProperty("payload").GetRawText().Contains("checkout", StringComparison.Ordinal)).ToList();
            var cost = Assert.Single(checkoutInChat);
            Assert.Equal(("team", "budget"), (cost.GetProperty("receiver").GetString(), cost.GetProperty("action").GetString()));
            Assert.StartsWith("checkout-availability: this incident consumed 34.7% of the 30d budget; 65.3% remains",
                cost.GetProperty("payload").GetProperty("text").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    [Fact]
    public async Task WallClock_WhenTheSampleEventsAreOlderThanTheSloWindow_ShouldWarnAndCountNoneOfTheirBadTime()
    {
        // Issue 18: `local --clock wall` on the March samples sent budget pages reading "100000.0% of the 30d budget consumed".
        var outFile = Path.GetTempFileName();
        try
        {
            var (exit, _, err) = await CliRunner.Opsctl("local", "--clock", "wall", "--out", outFile);

            Assert.True(exit == 0, err);
            Assert.Contains("warning: --clock wall: 16 event(s) are older than the SLO window (30d), so their bad time is outside every budget today", err, StringComparison.Ordinal);
            var budget = (await File.ReadAllLinesAsync(outFile)).Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.GetProperty("action").GetString() == "budget").ToList();
            Assert.DoesNotContain(budget, b => b.GetProperty("payload").GetRawText().Contains("burn", StringComparison.Ordinal));
            Assert.All(budget.Where(b => b.GetProperty("receiver").GetString() == "team"), b =>
                Assert.StartsWith("checkout-availability: this incident consumed 0.0% of the 30d budget; 100.0% remains", b.GetProperty("payload").GetProperty("text").GetString(), StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    [Fact]
    public async Task WallClock_WhenTheRunEndsWithAGroupStillWaiting_ShouldSayWhatIsHeldAndWhen()
    {
        // Issue 18: one warning alarm gave "1 events (grouped 1 …); 0 deliveries" and the run ended saying nothing.
        var outFile = Path.GetTempFileName();
        var (exit, _, err) = await CliRunner.Opsctl("local", "--clock", "wall", "--out", outFile, Path.Combine(OpsCtl.Local.RepoPaths.Events, "cloudwatch-alarm-with-tags.json"));
        File.Delete(outFile);

        Assert.True(exit == 0, err);
        Assert.Contains("held when the run ended (--clock wall ticks once): 1 alert(s) with notifications still to go out, the first inventory-sync-errors at ", err, StringComparison.Ordinal);
        Assert.Contains("0 deliveries", err, StringComparison.Ordinal);
    }
}
