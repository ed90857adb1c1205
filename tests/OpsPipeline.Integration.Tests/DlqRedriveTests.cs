using System.Globalization;
using System.Text.Json.Nodes;
using OpsCtl;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>`opsctl dlq redrive` over the local archive: every message back to its source queue, large bodies included.</summary>
[Trait("Category", "Integration")]
public sealed class DlqRedriveTests : IDisposable
{
    private readonly StateDirectory _dir = new("redrive");

    private string StateDir => _dir.Path;

    public void Dispose() => _dir.Dispose();

    private static JsonObject Record(string id, string queue, string body, DateTimeOffset sent) => new()
    {
        ["messageId"] = id,
        ["body"] = body,
        ["attributes"] = new JsonObject { ["ApproximateReceiveCount"] = "4", ["SentTimestamp"] = sent.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
        ["messageAttributes"] = new JsonObject { ["ErrorCode"] = new JsonObject { ["stringValue"] = "200", ["dataType"] = "String" } },
        ["eventSource"] = "aws:sqs",
        ["eventSourceARN"] = $"arn:aws:sqs:us-east-1:123456789012:{queue}",
        ["awsRegion"] = "us-east-1",
    };

    [Fact]
    public async Task Redrive_WhenTheArchiveHoldsDlqArrivals_ShouldSendEveryBodyBackToItsSourceQueueAndCount()
    {
        var big = new string('b', 900 * 1024);
        var records = new JsonArray(
            Record("m-1", "orders-dlq", "{\"orderId\":1}", T0),
            Record("m-2", "orders-dlq", "{\"orderId\":2}", T0.AddSeconds(5)),
            Record("m-3", "imports-dlq", big, T0.AddSeconds(9)));
        var input = Path.Combine(StateDir, "dlq-records.json");
        await File.WriteAllTextAsync(input, records.ToJsonString());
        var alarm = Path.Combine(StateDir, "alarm.json");
        await File.WriteAllTextAsync(alarm, StateChange("checkout-api-5xx", "ALARM", T0.AddMinutes(1)));
        var run = await Opsctl("local", "--state", StateDir, "--out", Path.Combine(StateDir, "out.jsonl"), input, alarm);
        Assert.True(run.Exit == 0, run.Err);

        var (exit, output, err) = await Opsctl("dlq", "redrive", "--state", StateDir, Path.Combine(StateDir, "archive.jsonl"));

        Assert.True(exit == 0, err);
        Assert.Equal("dlq redrive: read 3, sent 3, failed 0; 1 other events skipped", output.Trim());
        Assert.Equal(["{\"orderId\":1}", "{\"orderId\":2}"], LocalQueueSender.ReceiveAll(StateDir, "orders").Order(StringComparer.Ordinal));
        Assert.Equal(big, Assert.Single(LocalQueueSender.ReceiveAll(StateDir, "imports")));
    }

    [Fact]
    public async Task Redrive_WhenTheArchiveIsTheSampleEventsRunLocally_ShouldReadItBackOneEventPerLine()
    {
        // Issue 18: the sample files are pretty-printed, and the archive kept them so: `archive.jsonl:382: (root):
        // expected a JSON object, got a string`.
        var run = await Opsctl("local", "--state", StateDir, "--out", Path.Combine(StateDir, "out.jsonl"));
        Assert.True(run.Exit == 0, run.Err);
        var lines = await File.ReadAllLinesAsync(Path.Combine(StateDir, "archive.jsonl"));
        Assert.Equal(17, lines.Length);
        Assert.All(lines, l => Assert.Equal(System.Text.Json.JsonValueKind.Object, System.Text.Json.JsonDocument.Parse(l).RootElement.ValueKind));

        var (exit, output, err) = await Opsctl("dlq", "redrive", "--dry-run", "--state", StateDir, Path.Combine(StateDir, "archive.jsonl"));

        Assert.True(exit == 0, err);
        Assert.StartsWith("dlq redrive: read 9,", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redrive_WhenALargeBodyIsNoLongerParked_ShouldCountItFailedWithTheReason()
    {
        var archived = Path.Combine(StateDir, "archived.json");
        var arrival = OpsPipeline.Core.Dlq.DlqEnricher.Enrich(OpsPipeline.Core.Dlq.DlqEnricher.ParseRecords(
            System.Text.Encoding.UTF8.GetBytes(new JsonArray(Record("m-9", "imports-dlq", new string('z', 100 * 1024), T0)).ToJsonString()))[0], T0).Arrival;
        await File.WriteAllTextAsync(archived, OpsPipeline.Core.Dlq.DlqEnricher.Envelope(arrival, T0));

        var (exit, output, err) = await Opsctl("dlq", "redrive", "--state", StateDir, archived);

        Assert.Equal(1, exit);
        Assert.Equal("dlq redrive: read 1, sent 0, failed 1; 0 other events skipped", output.Trim());
        Assert.Contains("message m-9: body (102400 bytes) is neither in the event nor parked", err);
    }

    [Theory]
    [InlineData("orders-dlq", "orders")]
    [InlineData("orders-processor-DLQ", "orders-processor")]
    [InlineData("billing_dlq", "billing")]
    public void SourceQueueOf_WhenTheDlqFollowsANamingConvention_ShouldNameTheSource(string dlq, string source)
    {
        Assert.Equal(source, DlqCommands.SourceQueueOf(dlq));
    }

    [Fact]
    public void SourceQueueOf_WhenTheNameSaysNothing_ShouldAskForTo()
    {
        Assert.Contains("give --to", Assert.Throws<InvalidOperationException>(() => DlqCommands.SourceQueueOf("poison")).Message);
    }
}
