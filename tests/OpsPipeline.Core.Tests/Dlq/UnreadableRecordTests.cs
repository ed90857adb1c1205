using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Dlq;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Tests.Rendering;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Dlq;

/// <summary>
/// One bad record in a Pipes batch of ten: in AWS a throw fails the whole batch until retention drops it, so the bad
/// record becomes one unreadable arrival (named field, size and SHA-256 of its JSON as received) and the nine others
/// are exactly what they would have been without it.
/// </summary>
public class UnreadableRecordTests
{
    private const int BadIndex = 3;
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 10, 0, 0, TimeSpan.Zero);

    private static JsonObject GoodRecord(int i) => new()
    {
        ["messageId"] = $"m-{i}",
        ["receiptHandle"] = $"AQEB{i}",
        ["body"] = $"{{\"orderId\": {i}}}",
        ["attributes"] = new JsonObject
        {
            ["ApproximateReceiveCount"] = "3",
            ["SentTimestamp"] = Now.AddMinutes(-i).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        },
        ["messageAttributes"] = new JsonObject { ["ErrorCode"] = new JsonObject { ["stringValue"] = "200", ["dataType"] = "String" } },
        ["eventSource"] = "aws:sqs",
        ["eventSourceARN"] = "arn:aws:sqs:us-east-1:123456789012:orders-dlq",
        ["awsRegion"] = "us-east-1",
    };

    /// <summary>The batch as a Pipe would send it, with whitespace between records (not part of any record).</summary>
    private static string Batch(IEnumerable<string> records) => "[\n  " + string.Join(",\n  ", records) + "\n]";

    private static List<DlqArrival> EnrichAll(string batch) =>
        [.. DlqEnricher.ParseRecords(Encoding.UTF8.GetBytes(batch)).Select((r, i) => DlqEnricher.Enrich(r, Now, i).Arrival)];

    private static string Json(DlqArrival a) => JsonSerializer.Serialize(a, DlqArrivalJsonContext.Default.DlqArrival);

    public static TheoryData<string, string, string, string> BadRecords()
    {
        string Bad(Action<JsonObject> change)
        {
            var record = GoodRecord(BadIndex);
            change(record);
            return record.ToJsonString();
        }

        string SentAt(string value) => Bad(r => r["attributes"]!["SentTimestamp"] = value);

        return new()
        {
            { Bad(r => r.Remove("eventSourceARN")), "Records[3].eventSourceARN: required field is missing", "unknown", "m-3" },
            { Bad(r => r["eventSourceARN"] = "arn:aws:sns:us-east-1:123456789012:alerts"), "Records[3].eventSourceARN: 'arn:aws:sns:us-east-1:123456789012:alerts' is not an SQS queue ARN", "unknown", "m-3" },
            { Bad(r => r.Remove("messageId")), "Records[3].messageId: required field is missing", "orders-dlq", "unknown-3" },
            { SentAt("99999999999999999"), "Records[3].attributes.SentTimestamp: 99999999999999999 is not a time between 2000-01-01 and 15 minutes after now", "orders-dlq", "m-3" },
            { SentAt("86400000"), "Records[3].attributes.SentTimestamp: 86400000 is not a time between 2000-01-01 and 15 minutes after now", "orders-dlq", "m-3" },
            { SentAt("4070908800000"), "Records[3].attributes.SentTimestamp: 4070908800000 is not a time between 2000-01-01 and 15 minutes after now", "orders-dlq", "m-3" },
            { SentAt(Now.AddMinutes(16).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)), $"Records[3].attributes.SentTimestamp: {Now.AddMinutes(16).ToUnixTimeMilliseconds()} is not a time between 2000-01-01 and 15 minutes after now", "orders-dlq", "m-3" },
            { SentAt("soon"), "Records[3].attributes.SentTimestamp: 'soon' is not a time between 2000-01-01 and 15 minutes after now", "orders-dlq", "m-3" },
            { Bad(r => { r.Remove("eventSourceARN"); r.Remove("messageId"); }), "Records[3].eventSourceARN: required field is missing; Records[3].messageId: required field is missing", "unknown", "unknown-3" },
        };
    }

    [Theory]
    [MemberData(nameof(BadRecords))]
    public void Enrich_WhenOneRecordOfTenIsBad_ShouldMarkOnlyItUnreadableNamingTheField(string bad, string reason, string queue, string messageId)
    {
        var good = Enumerable.Range(0, 10).Select(i => GoodRecord(i).ToJsonString()).ToList();
        var withBad = good.Select((r, i) => i == BadIndex ? bad : r).ToList();

        var expected = EnrichAll(Batch(good));
        var arrivals = EnrichAll(Batch(withBad));

        Assert.Equal(10, arrivals.Count);
        for (var i = 0; i < 10; i++)
        {
            if (i != BadIndex)
            {
                Assert.Null(arrivals[i].Unreadable);
                Assert.Equal(Json(expected[i]), Json(arrivals[i])); // byte for byte what it was without the bad neighbour
            }
        }

        var a = arrivals[BadIndex];
        var raw = Encoding.UTF8.GetBytes(bad);
        Assert.Equal(reason, a.Unreadable);
        Assert.Equal((queue, messageId), (a.QueueName, a.MessageId));
        Assert.Equal(raw.Length, a.BodySize);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(raw)), a.BodySha256);
        Assert.Equal(bad, a.Body); // the whole record travels, so nothing of it is lost when the Pipe deletes it
        Assert.Equal("lambda", a.Failure.Kind);
    }

    [Theory]
    [InlineData("""{"messageId": 5, "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders-dlq"}""", "Records[1].messageId: not readable (")]
    [InlineData("""{"messageId": "a", "messageId": "b"}""", "Records[1]")]
    [InlineData("""{"attributes": "none"}""", "Records[1].attributes: not readable (")]
    [InlineData("42", "Records[1]: not an SQS record (a JSON object expected, found Number)")]
    [InlineData("null", "Records[1]: not an SQS record (a JSON object expected, found Null)")]
    public void ParseRecords_WhenOneRecordDoesNotBind_ShouldKeepTheBatchAndReportThatRecordUnreadable(string bad, string reasonStart)
    {
        var batch = Batch([GoodRecord(0).ToJsonString(), bad, GoodRecord(2).ToJsonString()]);

        var arrivals = EnrichAll(batch);

        Assert.Equal(3, arrivals.Count);
        Assert.Null(arrivals[0].Unreadable);
        Assert.Null(arrivals[2].Unreadable);
        Assert.StartsWith(reasonStart, arrivals[1].Unreadable, StringComparison.Ordinal);
        Assert.Equal(("unknown", "unknown-1"), (arrivals[1].QueueName, arrivals[1].MessageId));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(bad))), arrivals[1].BodySha256);
    }

    [Fact]
    public void Enrich_WhenSentTimestampIsWithinTheClockSkew_ShouldReadIt()
    {
        var sent = Now.AddMinutes(14);
        var record = GoodRecord(0);
        record["attributes"]!["SentTimestamp"] = sent.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        var a = Assert.Single(EnrichAll(Batch([record.ToJsonString()])));

        Assert.Null(a.Unreadable);
        Assert.Equal(sent, a.SentTime);
    }

    [Fact]
    public void Enrich_WhenAnUnreadableRecordIsTooLargeToTravel_ShouldParkTheWholeRecord()
    {
        var record = GoodRecord(0);
        record.Remove("messageId");
        record["body"] = new string('x', DlqEnricher.InlineBodyLimit + 1);
        var json = record.ToJsonString();

        var parsed = DlqEnricher.ParseRecords(Encoding.UTF8.GetBytes(Batch([json])))[0];
        var (arrival, parked) = DlqEnricher.Enrich(parsed, Now);

        Assert.Null(arrival.Body);
        Assert.Equal("dlqbody/" + arrival.BodySha256, arrival.BodyRef);
        Assert.Equal(Encoding.UTF8.GetBytes(json), parked!.Value.ToArray());
    }

    [Fact]
    public void Envelope_WhenTwoUnreadableRecordsShareThePlaceholderIds_ShouldStillBeTwoEvents()
    {
        var first = GoodRecord(0);
        first.Remove("eventSourceARN");
        first.Remove("messageId");
        var second = first.DeepClone().AsObject();
        second["body"] = "another";

        var a = EnrichAll(Batch([first.ToJsonString()]))[0];
        var b = EnrichAll(Batch([second.ToJsonString()]))[0];

        Assert.Equal((a.QueueArn, a.MessageId), (b.QueueArn, b.MessageId));
        Assert.NotEqual(EventParser.Parse(DlqEnricher.Envelope(a, Now)).Id, EventParser.Parse(DlqEnricher.Envelope(b, Now)).Id);
    }

    [Fact]
    public void Normalize_WhenTheRecordIsUnreadable_ShouldBeOneDlqAlertOfItsQueueSayingWhy()
    {
        var config = new PipelineConfig
        {
            Defaults = new Defaults(),
            Receivers = [SampleAlerts.Team],
            Route = new RouteConfig { Receiver = "team" },
            Dlq = new DlqConfig(["queue"], "team"),
        };
        var bad = GoodRecord(BadIndex);
        bad["attributes"]!["SentTimestamp"] = "99999999999999999";
        var arrivals = EnrichAll(Batch([GoodRecord(0).ToJsonString(), GoodRecord(1).ToJsonString(), GoodRecord(2).ToJsonString(), bad.ToJsonString()]));
        Alert AlertOf(DlqArrival a) => AlertNormalizer.Normalize(EventParser.Parse(DlqEnricher.Envelope(a, Now)), config);

        var good = AlertOf(arrivals[0]);
        var alert = AlertOf(arrivals[BadIndex]);

        Assert.Equal(good.Key, alert.Key); // grouped with its queue's other dead letters
        Assert.Equal("unreadable record: Records[3].attributes.SentTimestamp: 99999999999999999 is not a time between 2000-01-01 and 15 minutes after now", alert.Reason);
        Assert.StartsWith("orders-dlq: message dead-lettered (200): unreadable record: Records[3].attributes.SentTimestamp", alert.Summary, StringComparison.Ordinal);
        Assert.StartsWith($"unreadable record m-3, {arrivals[BadIndex].BodySize} bytes as received (sha256 {arrivals[BadIndex].BodySha256})", alert.Description, StringComparison.Ordinal);
        var slack = DeliveryRenderer.Render(alert, DeliveryActions.Dlq, SampleAlerts.Team, drill: false).Payload.GetRawText();
        Assert.Contains("unreadable record: Records[3].attributes.SentTimestamp: 99999999999999999", slack, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_WhenTheQueueIsUnknown_ShouldLinkToNoConsolePage()
    {
        var config = new PipelineConfig { Defaults = new Defaults(), Receivers = [], Route = new RouteConfig { Receiver = "team" } };
        var bad = GoodRecord(0);
        bad.Remove("eventSourceARN");
        var arrival = EnrichAll(Batch([bad.ToJsonString()]))[0];

        var alert = AlertNormalizer.Normalize(EventParser.Parse(DlqEnricher.Envelope(arrival, Now)), config);

        Assert.Equal(("unknown", AlertSource.Dlq), (alert.Name, alert.Source));
        Assert.Empty(alert.Links);
    }
}
