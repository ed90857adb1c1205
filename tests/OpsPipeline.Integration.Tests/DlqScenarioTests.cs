using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OpsCtl.Local;
using OpsPipeline.Core.Dlq;
using OpsPipeline.Functions;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>Dead-lettered messages as singular alerts, through the enrichment code, the real ASL and dynalite.</summary>
[Trait("Category", "Integration")]
public class DlqScenarioTests
{
    private static string Record(int i, string queue, string errorCode, DateTimeOffset sent, string? body = null) => new JsonObject
    {
        ["messageId"] = $"00000000-0000-4000-8000-{i:D12}",
        ["body"] = body ?? $"{{\"orderId\":\"o-{i}\"}}",
        ["attributes"] = new JsonObject
        {
            ["ApproximateReceiveCount"] = "3",
            ["SentTimestamp"] = sent.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        },
        ["messageAttributes"] = new JsonObject
        {
            ["RequestID"] = new JsonObject { ["stringValue"] = $"req-{i}", ["dataType"] = "String" },
            ["ErrorCode"] = new JsonObject { ["stringValue"] = errorCode, ["dataType"] = "String" },
            ["ErrorMessage"] = new JsonObject { ["stringValue"] = "Task timed out after 30.00 seconds", ["dataType"] = "String" },
        },
        ["eventSource"] = "aws:sqs",
        ["eventSourceARN"] = $"arn:aws:sqs:us-east-1:123456789012:{queue}",
        ["awsRegion"] = "us-east-1",
    }.ToJsonString();

    private static async Task<(RunSummary Summary, IReadOnlyList<OutboundRecord> Outbound, string Err)> RunRecordsAsync(IEnumerable<string> records)
    {
        var err = new StringWriter();
        var (summary, outbound, _) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = TestConfig.AlarmsOnly(),
            Inputs = [.. records.Select((r, i) => new EventInput($"record[{i}]", r, IsSqsRecord: true))],
            Out = TextWriter.Null,
            Err = err,
            Explain = true,
        });
        return (summary, outbound, err.ToString());
    }

    [Fact]
    public async Task DlqFlood_When50MessagesOfOneQueueAndErrorArrive_ShouldMakeOneAlertNotifiedOnceThenOneDigestOf50()
    {
        var (summary, outbound, err) = await RunRecordsAsync(Enumerable.Range(1, 50).Select(i => Record(i, "orders-dlq", "200", T0.AddSeconds(i))));

        Assert.True(outbound.Count == 2, err);
        Assert.Single(outbound.Select(o => o.AlertKey).Distinct());
        Assert.All(outbound, o => Assert.Equal(("team", "slack", "dlq"), (o.Receiver, o.Channel, o.Action)));
        Assert.Contains("orders-dlq: message dead-lettered (200)", outbound[0].Payload.GetRawText());
        Assert.Contains("50 messages dead-lettered since 2026-03-02T09:00:01Z (49 new", outbound[1].Payload.GetRawText());
        Assert.Equal(49, summary.Decisions["grouped"]);
    }

    [Fact]
    public async Task DlqFlood_WhenTwoErrorCodesArrive_ShouldMakeTwoAlerts()
    {
        var (_, outbound, err) = await RunRecordsAsync(Enumerable.Range(1, 40).Select(i => Record(i, "orders-dlq", i % 2 == 0 ? "200" : "Unhandled", T0.AddSeconds(i))));

        var alerts = outbound.GroupBy(o => o.AlertKey).ToList();
        Assert.True(alerts.Count == 2, err);
        Assert.Contains(alerts, a => a.Key.EndsWith("#queue=orders-dlq,errorCode=200", StringComparison.Ordinal));
        Assert.Contains(alerts, a => a.Key.EndsWith("#queue=orders-dlq,errorCode=Unhandled", StringComparison.Ordinal));
        Assert.All(alerts, a => Assert.Equal(2, a.Count())); // first notice + one digest of 20 each
        Assert.All(alerts, a => Assert.Contains("20 messages dead-lettered", a.Last().Payload.GetRawText()));
    }

    [Fact]
    public async Task DlqMessage_When900KbBody_ShouldParkTheBodyWholeAndAlertWithAPreview()
    {
        var body = new string('x', 900 * 1024);
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.AlarmsOnly(), Clock = new ManualClock(T0) });
        var records = DlqEnricher.ParseRecords(Encoding.UTF8.GetBytes("[" + Record(1, "imports-dlq", "413", T0, body) + "]"));

        var arrival = (await new DlqEnrichFunction(stack.Runtime).EnrichAsync(records, default)).Single();
        var outcome = await stack.ExecuteAsync(DlqEnricher.Envelope(arrival, T0));

        Assert.Equal("SUCCEEDED", outcome.Status);
        Assert.Null(arrival.Body);
        Assert.Equal(Encoding.UTF8.GetBytes(body), await stack.Runtime.ParkedBodies.GetAsync(arrival.BodySha256, default));
        var notice = Assert.Single(stack.Outbound);
        Assert.Equal("dlq", notice.Action);
        Assert.Contains("921600 bytes", notice.Payload.GetRawText());
    }
}
