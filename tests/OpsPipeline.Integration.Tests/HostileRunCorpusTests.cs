using System.Text.Json;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// The inputs that once lost or flooded a page (tests/OpsPipeline.Integration.Tests/HostileRun), each run through
/// `opsctl local` before a good event: the run completes (exit 0, or 3 when it rejected the input), the bad input is rejected or parked naming its field, and
/// the good event still pages.
/// </summary>
[Trait("Category", "Integration")]
public class HostileRunCorpusTests
{
    private static string Corpus => Path.Combine(RepoPaths.Root, "tests", "OpsPipeline.Integration.Tests", "HostileRun");

    /// <summary>One output line of `opsctl local --out`: the contract's fields this test reads.</summary>
    private sealed record Line(string Receiver, string Action, string AlertKey, string Payload);

    private static List<Line> Told(string outFile) =>
    [
        .. File.ReadAllLines(outFile).Select(l =>
        {
            using var d = JsonDocument.Parse(l);
            var r = d.RootElement;
            return new Line(r.GetProperty("receiver").GetString()!, r.GetProperty("action").GetString()!, r.GetProperty("alertKey").GetString()!, r.GetProperty("payload").GetRawText());
        }),
    ];

    private static string GoodAlarm => Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json");

    public static TheoryData<string, string> Cases() => new()
    {
        { "01-slo-alarm-state-timestamp-year-0001.json", "detail.state.timestamp: 0001-01-01" },
        { "02-alarm-state-timestamp-year-0001.json", "detail.state.timestamp: 0001-01-01" },
        { "03-slo-alarm-state-timestamp-2099.json", "detail.state.timestamp: 2099-01-01" },
        { "04-alarm-state-timestamp-2099.json", "detail.state.timestamp: 2099-01-01" },
        { "05-alarm-previous-state-timestamp-year-0001.json", "detail.previousState.timestamp: 0001-01-01" },
        { "06-event-time-year-9999.json", "time: 9999-12-31" },
        { "07-event-time-1970.json", "time: 1970-01-01" },
        { "12-ok-resources-names-another-alarm.json", "resources[0]: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-api-5xx' does not agree with the event: it names alarm 'payments-api-5xx' but detail.alarmName is 'checkout-api-5xx'" },
        { "13-ok-resources-names-another-account.json", "resources[0]: 'arn:aws:cloudwatch:us-east-1:999999999999:alarm:checkout-api-5xx' does not agree with the event: it names account 999999999999 but account is 123456789012" },
        { "14-ok-resources-names-another-region.json", "resources[0]: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-api-5xx' does not agree with the event: it names region eu-west-1 but region is us-east-1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task LocalRun_WhenAnInputIsImplausibleOrInconsistent_ShouldRejectAndParkItNamingTheFieldAndStillPage(string file, string named)
    {
        var outFile = Path.GetTempFileName();
        try
        {
            var (exit, _, err) = await CliRunner.Opsctl("local", "--out", outFile, Path.Combine(Corpus, file), GoodAlarm);

            Assert.True(exit == 3, err); // completed, with input rejected (docs/opsctl.md)
            Assert.Contains($"rejected {file}: {named}", err, StringComparison.Ordinal);
            Assert.Contains("rejected 1, failed 0", err, StringComparison.Ordinal);
            var told = Told(outFile);
            Assert.Single(told, o => o.Receiver == "oncall" && o.Action == "trigger" && o.AlertKey.EndsWith(":alarm:checkout-api-5xx", StringComparison.Ordinal));
            // A repeat storm off an ancient timestamp is impossible: nothing but the good alarm's own notices.
            Assert.DoesNotContain(told, o => o.Action == "repeat");
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    [Theory]
    [InlineData("08-sqs-sent-timestamp-overflow.json", "99999999999999999")]
    [InlineData("09-sqs-sent-timestamp-1970.json", "SentTimestamp")]
    public async Task LocalRun_WhenADlqRecordIsUnreadable_ShouldAlertItAsUnreadableNamingTheFieldAndStillPage(string file, string named)
    {
        var outFile = Path.GetTempFileName();
        try
        {
            var (exit, _, err) = await CliRunner.Opsctl("local", "--out", outFile, Path.Combine(Corpus, file), GoodAlarm);

            Assert.True(exit == 0, err);
            Assert.Contains("rejected 0, failed 0", err, StringComparison.Ordinal);
            var told = Told(outFile);
            var dlq = Assert.Single(told, o => o.Action == "dlq");
            Assert.Contains("unreadable record", dlq.Payload, StringComparison.Ordinal);
            Assert.Contains(named, dlq.Payload, StringComparison.Ordinal);
            Assert.Single(told, o => o.Receiver == "oncall" && o.Action == "trigger");
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    [Theory]
    [InlineData("10-alarm-name-lone-surrogate.json")]
    [InlineData("11-alarm-description-lone-surrogates.json")]
    public async Task LocalRun_WhenTextHoldsLoneSurrogates_ShouldDecideItWithoutLosingItAndStillPage(string file)
    {
        var outFile = Path.GetTempFileName();
        try
        {
            var (exit, _, err) = await CliRunner.Opsctl("local", "--out", outFile, Path.Combine(Corpus, file), GoodAlarm);

            Assert.True(exit is 0 or 3, err); // 3: completed, the input rejected (docs/opsctl.md)
            Assert.Contains("failed 0", err, StringComparison.Ordinal);
            var told = Told(outFile);
            // Accounted for: either told (escaped) or rejected and parked by the SQS-safe parking path.
            Assert.True(told.Any(o => o.AlertKey.Contains("inventory-sync", StringComparison.Ordinal)) || err.Contains($"rejected {file}", StringComparison.Ordinal), err);
            Assert.Single(told, o => o.Receiver == "oncall" && o.Action == "trigger");
        }
        finally
        {
            File.Delete(outFile);
        }
    }
}
