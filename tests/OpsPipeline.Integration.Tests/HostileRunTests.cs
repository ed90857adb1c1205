using System.Text.Json;
using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>The whole hostile corpus in one local run between good events: each rejected by field and parked, the rest unaffected.</summary>
[Trait("Category", "Integration")]
public class HostileRunTests
{
    private static string Corpus => Path.Combine(RepoPaths.Root, "tests", "OpsPipeline.Core.Tests", "Hostile", "corpus");

    [Fact]
    public async Task LocalRun_WhenHostileInputsSitBetweenGoodEvents_ShouldRejectAndParkEachAndDeliverTheGoodOnesUnchanged()
    {
        // Read as opsctl local reads files. Left out: duplicated keys (a JSON transport collapses them before the
        // pipeline sees the event; the parser's own rejection is tested in HostileInputTests) and the one-element
        // array (a file holding an array is a list of events by contract, and its element is a good event).
        var hostile = EventInputs.Read(Directory.GetFiles(Corpus).Order(StringComparer.Ordinal)
            .Where(f => !f.Contains("duplicated-key", StringComparison.Ordinal) && !f.Contains("not-object-array", StringComparison.Ordinal)));
        // The corpus is built from a sample stamped 2026-03-10T09:16Z; the good events bracket it in time.
        var at = new DateTimeOffset(2026, 3, 10, 9, 20, 0, TimeSpan.Zero);
        var inputs = new List<EventInput> { new("good-alarm", StateChange("checkout-api-5xx", "ALARM", at)) };
        inputs.AddRange(hostile);
        inputs.Add(new EventInput("good-ok", StateChange("checkout-api-5xx", "OK", at.AddMinutes(5), previous: "ALARM")));
        var err = new StringWriter();

        var (summary, outbound, parked) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = TestConfig.AlarmsOnly(),
            Inputs = inputs,
            Out = TextWriter.Null,
            Err = err,
        });

        // Reconciliation: every input is accounted for, as notified, recorded or rejected.
        Assert.Equal(inputs.Count, summary.Received);
        Assert.Equal(hostile.Count, summary.Rejected);
        Assert.Equal(inputs.Count, summary.Rejected + summary.Decisions.Values.Sum());
        Assert.Equal(0, summary.ExecutionsFailed);
        Assert.Equal(hostile.Count, parked.Count(p => p.Queue == LocalStack.ParkedEventQueueUrl));
        Assert.Equal(["trigger", "resolve"], outbound.Select(o => o.Action));
        var log = err.ToString();
        Assert.Contains("rejected 18-missing-detail-alarmName.json: detail.alarmName: required field is missing", log);
        Assert.Contains("rejected 37-unknown-state-value.json: detail.state.value:", log);
        Assert.Contains("rejected 53-invalid-utf8-lone-continuation.json: (root): not valid UTF-8 at byte", log);
        // Every parked copy carries the error that names the field.
        Assert.All(parked, p =>
        {
            using var body = JsonDocument.Parse(p.Body, new JsonDocumentOptions { MaxDepth = 1024 });
            Assert.Equal("InvalidEventException", body.RootElement.GetProperty("error").GetProperty("Error").GetString());
        });
    }
}
