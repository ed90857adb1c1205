using System.Text.Json;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// `opsctl local --format table|json` (issue 18): a person on a terminal reads a table with each decision and its
/// reason and totals that add up; scripts, redirects and `--out` keep exactly one JSON line per delivery.
/// </summary>
[Trait("Category", "Integration")]
public class LocalOutputFormatTests
{
    private static readonly string Alarm = Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json");
    private static readonly string Ok = Path.Combine(RepoPaths.Events, "cloudwatch-ok-single-metric.json");

    [Fact]
    public async Task FormatJson_WhenStdoutIsNotATerminal_ShouldBeTheDefaultAndByteIdenticalToOut()
    {
        var outFile = Path.GetTempFileName();
        try
        {
            var (exitDefault, byDefault, errDefault) = await CliRunner.Opsctl("local");
            var (exitJson, asJson, _) = await CliRunner.Opsctl("local", "--format", "json");
            var (exitOut, toStdout, _) = await CliRunner.Opsctl("local", "--format", "json", "--out", outFile);

            Assert.True(exitDefault == 0, errDefault);
            Assert.Equal((0, 0), (exitJson, exitOut));
            Assert.Equal(byDefault, asJson);
            Assert.Equal(byDefault, await File.ReadAllTextAsync(outFile));
            Assert.Equal(string.Empty, toStdout);
            var lines = byDefault.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(18, lines.Length);
            Assert.All(lines, l => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(l).RootElement.ValueKind));
            Assert.DoesNotContain("progress:", errDefault, StringComparison.Ordinal); // redirected stderr gets no progress
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    [Fact]
    public async Task FormatTable_WhenTheCheckoutIncidentRuns_ShouldPrintEachDecisionEachDeliveryAndTotalsThatAddUp()
    {
        var (exit, output, err) = await CliRunner.Opsctl("local", "--format", "table", Alarm, Ok);

        Assert.True(exit == 0, err);
        Assert.Equal(string.Join("\n", [
            "times UTC, 2026-03-10",
            "TIME      INPUT                                DECISION  REASON",
            "09:16:40  cloudwatch-alarm-single-metric.json  notify    trigger to oncall",
            "          → oncall/pagerduty trigger: checkout-api-5xx is ALARM: Threshold Crossed: 1 out of the last 1 datapoints [17.0 (10/03/26 09:15:…",
            "09:18:00  tick                                 tick      checkout-availability: burnFiring to oncall: checkout-availability: 14.4× burn, 3.1% of the 30d budget consumed (checkout-api-5xx ALARM)",
            "          → oncall/pagerduty budget: checkout-availability: 14.4× burn, 3.1% of the 30d budget consumed (checkout-api-5xx ALARM)",
            "09:19:00  tick                                 tick      checkout-availability: burnFiring to oncall: checkout-availability: 6× burn, 5.4% of the 30d budget consumed (checkout-api-5xx ALARM)",
            "          → oncall/pagerduty budget: checkout-availability: 6× burn, 5.4% of the 30d budget consumed (checkout-api-5xx ALARM)",
            "09:21:00  tick                                 tick      checkout-availability: 3d/6h@1x folded into its open incident: team is told what the incident cost when it ends",
            "09:31:40  cloudwatch-ok-single-metric.json     notify    resolve to oncall (resolve to oncall handed to the checkout-availability incident: it resolves once nothing behind it fires)",
            "10:02:00  tick                                 tick      checkout-availability: incidentResolved to oncall: checkout-availability: incident resolved, nothing behind it fires; 34.7% of the 30d budget consumed; checkout-availability: incidentEnded to team: checkout-availability: this incident consumed 34.7% of the 30d budget; 65.3% remains (15 min of bad time from 2026-03-10T09:16:40Z)",
            "          → oncall/pagerduty budget: resolve slo:checkout-availability",
            "          → team/slack budget: checkout-availability: this incident consumed 34.7% of the 30d budget; 65.3% remains (15 min of bad…",
            "",
            "2 events = 2 notify",
            "5 deliveries = 1 from events + 4 from ticks (group digests, repeats, burn-rate pages and what waited for a group or a retry)",
            "  to:      oncall/pagerduty 4, team/slack 1",
            "  actions: budget 4, trigger 1",
            string.Empty,
        ]), output.ReplaceLineEndings("\n"));

        // The counts line stays on stderr, as in JSON mode.
        Assert.Contains("opsctl local: 2 events (notify 2, rejected 0, failed 0); 5 deliveries", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FormatTable_WhenTheQuickStartRuns_ShouldExplainTheEighteenDeliveries()
    {
        var (exit, output, err) = await CliRunner.Opsctl("local", "--format", "table");

        Assert.True(exit == 0, err);
        var totals = output.ReplaceLineEndings("\n").Split("\n\n")[^1];
        Assert.Equal(
            "17 events = 8 grouped + 8 notify + 1 recorded\n"
            + "18 deliveries = 7 from events + 11 from ticks (group digests, repeats, burn-rate pages and what waited for a group or a retry)\n"
            + "  to:      team/slack 13, oncall/pagerduty 4, email/sns 1\n"
            + "  actions: dlq 8, budget 4, trigger 4, digest 2\n",
            totals);

        // The README and docs/opsctl.md quote these totals: they stay what the run prints.
        Assert.Contains("`18 deliveries = 7 from events + 11 from ticks`", await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "README.md")), StringComparison.Ordinal);
        Assert.Contains("```\n" + totals + "```\n", (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "opsctl.md"))).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("\n09:24:05  cloudwatch-insufficient-data.json         recorded  INSUFFICIENT_DATA is neither firing nor resolved\n", output, StringComparison.Ordinal);
        Assert.Contains("\n          → email/sns trigger: [ALARM] billing-export-lag (us-east-1)\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("{\"receiver\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("local-routing-key", output, StringComparison.Ordinal); // a routing key is a secret in AWS: never shown
    }

    [Fact]
    public async Task FormatTable_WhenOutIsGiven_ShouldWriteTheJsonLinesToTheFileAndTheTableToStdout()
    {
        var outFile = Path.GetTempFileName();
        try
        {
            var (exit, output, err) = await CliRunner.Opsctl("local", "--format", "table", "--out", outFile, Alarm);
            var (_, json, _) = await CliRunner.Opsctl("local", "--format", "json", Alarm);

            Assert.True(exit == 0, err);
            Assert.Equal(json, await File.ReadAllTextAsync(outFile));
            Assert.StartsWith("times UTC, 2026-03-10\nTIME      INPUT", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.Contains("3 deliveries = 1 from events + 2 from ticks", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    [Fact]
    public async Task FormatTable_WhenAnInputIsRejected_ShouldShowItsRowAndCountItAndExitThree()
    {
        var empty = Path.Combine(Path.GetTempPath(), $"opsctl-empty-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(empty, string.Empty);
        try
        {
            var (exit, output, err) = await CliRunner.Opsctl("local", "--format", "table", empty);

            Assert.Equal(3, exit);
            Assert.Contains($"  {Path.GetFileName(empty)}  rejected  (root): empty file\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.EndsWith("\n1 events = 1 rejected\n0 deliveries = 0 from events + 0 from ticks\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.Contains("rejected ", err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public async Task Progress_WhenAskedForWithRedirectedStderr_ShouldWriteOneLinePerTenthOfTheInputs()
    {
        var (exit, output, err) = await CliRunner.Opsctl("local", "--progress");

        Assert.True(exit == 0, err);
        Assert.Equal(
            ["progress: 2/17 inputs", "progress: 4/17 inputs", "progress: 6/17 inputs", "progress: 7/17 inputs", "progress: 9/17 inputs",
             "progress: 11/17 inputs", "progress: 12/17 inputs", "progress: 14/17 inputs", "progress: 16/17 inputs", "progress: 17/17 inputs"],
            err.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("progress:", StringComparison.Ordinal)));
        Assert.Equal(18, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // stdout is still the JSON lines
    }

    [Fact]
    public async Task StormProgress_WhenAskedFor_ShouldReportEachTenthOnStderrAndLeaveTheMeasurementsOnStdout()
    {
        var (exit, output, err) = await CliRunner.Opsctl("storm", "--alarms", "3", "--transitions", "2", "--progress");
        var (quietExit, _, quietErr) = await CliRunner.Opsctl("storm", "--alarms", "3", "--transitions", "2");

        Assert.True(exit == 0, err);
        Assert.Equal([.. Enumerable.Range(1, 6).Select(i => $"progress: {i}/6 inputs"), string.Empty], err.ReplaceLineEndings("\n").Split('\n'));
        Assert.StartsWith("alarm storm: 6 events (3 alarms x 2 transitions", output, StringComparison.Ordinal);
        Assert.Equal((0, string.Empty), (quietExit, quietErr)); // redirected stderr without --progress: nothing
    }

    [Fact]
    public async Task Format_WhenTheValueIsMistyped_ShouldExitTwoNamingTheNearestValue()
    {
        var (exit, output, err) = await CliRunner.Opsctl("local", "--format", "tabel");

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, output);
        Assert.Equal("opsctl local: --format: 'tabel' is not one of table, json; did you mean 'table'?\n", err.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Progress_WhenStderrIsATerminal_ShouldRedrawOneLineFromTheFirstSecondAndClearItBeforeOtherLines()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero));
        var err = new StringWriter();
        var progress = new RunProgress(err, redraw: true, clock);

        progress.Report(1, 10); // within the first second: nothing, so a short run never flickers
        clock.Now = clock.Now.AddSeconds(1);
        progress.Report(2, 10);
        clock.Now = clock.Now.AddMilliseconds(100);
        progress.Report(3, 10); // within 200 ms of the last redraw: skipped
        progress.WriteLine("rejected x.json: (root): empty file");
        clock.Now = clock.Now.AddMilliseconds(100);
        progress.Report(10, 10); // the last one is always drawn
        progress.Clear();

        Assert.Equal(
            "\r\u001b[Kopsctl local: 2/10 inputs (20%)" + "\r\u001b[K" + "rejected x.json: (root): empty file" + Environment.NewLine
            + "\r\u001b[Kopsctl local: 10/10 inputs (100%)" + "\r\u001b[K",
            err.ToString());
    }

    [Theory]
    [InlineData("slack", null, """{"text":"line one\nline two","blocks":[]}""", "line one line two")]
    [InlineData("pagerduty", null, """{"event_action":"trigger","dedup_key":"k","payload":{"summary":"api is ALARM"}}""", "api is ALARM")]
    [InlineData("pagerduty", null, """{"routing_key":"secret-key","event_action":"resolve","dedup_key":"slo:x"}""", "resolve slo:x")]
    [InlineData("sns", "[ALARM] x (us-east-1)", "\"FIRING: x is ALARM\"", "[ALARM] x (us-east-1)")]
    [InlineData("webhook", null, """{"status":"firing","title":"x is ALARM"}""", "x is ALARM")]
    public void Summary_WhenAChannelsPayloadIsGiven_ShouldBeTheLineItsReaderSeesFirst(string channel, string? subject, string payload, string expected)
    {
        var record = new OutboundRecord
        {
            Receiver = "r", Channel = channel, Action = "trigger", AlertKey = "k", DedupKey = "k", Drill = false, Subject = subject,
            Payload = JsonDocument.Parse(payload).RootElement,
        };

        Assert.Equal(expected, RunTable.Summary(record));
    }

    [Fact]
    public void Summary_WhenTheTextIsLong_ShouldBeCutToOneLineOfTheSummaryWidth()
    {
        var record = new OutboundRecord
        {
            Receiver = "r", Channel = "slack", Action = "trigger", AlertKey = "k", DedupKey = "k", Drill = false,
            Payload = JsonDocument.Parse(JsonSerializer.Serialize(new { text = new string('x', 300) })).RootElement,
        };

        var line = RunTable.Summary(record);

        Assert.Equal(RunTable.SummaryWidth, line.Length);
        Assert.EndsWith("x…", line, StringComparison.Ordinal);
    }
}
