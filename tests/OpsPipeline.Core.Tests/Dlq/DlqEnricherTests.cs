using System.Security.Cryptography;
using System.Text;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Dlq;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Tests.Events;

namespace OpsPipeline.Core.Tests.Dlq;

/// <summary>Every DLQ record shape in events/ enriched field by field, malformed input, and the large-body path.</summary>
public class DlqEnricherTests
{
    /// <summary>After every sample record's SentTimestamp (2026-03-10 09:40 and earlier).</summary>
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 10, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<DlqArrival> Enrich(string file) =>
        [.. DlqEnricher.ParseRecords(SampleEvents.Bytes(file)).Select((r, i) => DlqEnricher.Enrich(r, Now, i).Arrival)];

    [Fact]
    public void Enrich_WhenLambdaAsyncDlqBatch_ShouldCarryRequestIdErrorCodeAndMessage()
    {
        var arrivals = Enrich("sqs-lambda-async-dlq.json");

        Assert.Equal(2, arrivals.Count);
        var a = arrivals[0];
        Assert.Equal(("arn:aws:sqs:us-east-1:123456789012:orders-processor-dlq", "orders-processor-dlq", "123456789012", "us-east-1"), (a.QueueArn, a.QueueName, a.Account, a.Region));
        Assert.Equal("3c1f0b7e-2a55-4c1e-9d7b-1f0e6a2b9c01", a.MessageId);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 40, 0, TimeSpan.Zero), a.SentTime);
        Assert.Equal(3, a.ReceiveCount);
        Assert.Equal(("lambda", "8f5c6e0a-51d4-4c53-9bde-2f1e7e7c1a11", "200", "Task timed out after 30.00 seconds"), (a.Failure.Kind, a.Failure.RequestId, a.Failure.ErrorCode, a.Failure.ErrorMessage));
        Assert.Equal("{\"orderId\": \"o-1001\", \"total\": 42.5}", a.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(a.Body!), a.BodySize);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(a.Body!))), a.BodySha256);
        Assert.Null(a.BodyRef);
    }

    [Fact]
    public void Enrich_WhenEventBridgeRuleDlqRecordsWrapper_ShouldCarryRuleTargetAndError()
    {
        var a = Assert.Single(Enrich("sqs-eventbridge-rule-dlq.json"));

        Assert.Equal("eventbridge", a.Failure.Kind);
        Assert.Equal("arn:aws:events:us-east-1:123456789012:rule/shop/order-placed-to-billing", a.Failure.RuleArn);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:billing-ingest", a.Failure.TargetArn);
        Assert.Equal(("SDK_CLIENT_ERROR", "Unable to invoke Lambda function: rate exceeded"), (a.Failure.ErrorCode, a.Failure.ErrorMessage));
    }

    [Theory]
    [InlineData("sqs-sns-subscription-dlq.json", "sns")]
    [InlineData("sqs-stepfunctions-dlq.json", "stepfunctions")]
    public void Enrich_WhenTheProducerLeftNoAttributes_ShouldTellTheKindFromTheBody(string file, string kind)
    {
        var a = Assert.Single(Enrich(file));

        Assert.Equal(kind, a.Failure.Kind);
        Assert.Null(a.Failure.ErrorCode);
    }

    [Fact]
    public void Enrich_WhenBodiesAreMalformedAndAttributesMissing_ShouldReportThemAsTheyAre()
    {
        var arrivals = Enrich("sqs-malformed-bodies.json");

        Assert.Equal(3, arrivals.Count);
        Assert.Equal("this is not JSON <at all> \u0001", arrivals[0].Body);
        Assert.Equal("unknown", arrivals[0].Failure.Kind);
        Assert.Equal((0, string.Empty), (arrivals[1].BodySize, arrivals[1].BodyPreview));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", arrivals[1].BodySha256); // SHA-256 of nothing
        Assert.Null(arrivals[2].SentTime);       // no attributes at all
        Assert.Null(arrivals[2].ReceiveCount);
        Assert.Equal("{\"half\": ", arrivals[2].Body);
    }

    [Theory]
    [InlineData("{\"Records\": 5}")]
    [InlineData("5")]
    [InlineData("[{\"messageId\": \"m1\"}")]
    [InlineData("[{\"messageId\": \"m1\"}] []")]
    [InlineData("{\"Records\": [], \"Records\": []}")]
    [InlineData("{\"nothing\": true}")]
    public void ParseRecords_WhenNotABatch_ShouldRejectNamingWhere(string json)
    {
        Assert.Throws<InvalidEventException>(() => DlqEnricher.ParseRecords(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Enrich_When900KbBody_ShouldParkItByteExactAndKeepOnlyAPreviewInTheEvent()
    {
        var body = string.Concat(Enumerable.Repeat("{\"line\":\"0123456789abcdef\"}\n", 900 * 1024 / 27));
        var record = new SqsRecord { MessageId = "big-1", Body = body, EventSourceArn = "arn:aws:sqs:us-east-1:123456789012:imports-dlq" };

        var (arrival, parked) = DlqEnricher.Enrich(record, Now);

        Assert.Null(arrival.Body);
        Assert.Equal(DlqEnricher.PreviewChars, arrival.BodyPreview.Length);
        Assert.Equal("dlqbody/" + arrival.BodySha256, arrival.BodyRef);
        var bytes = parked!.Value.ToArray();
        Assert.Equal(Encoding.UTF8.GetBytes(body), bytes);
        var chunks = DlqEnricher.Chunks(parked.Value);
        Assert.All(chunks, c => Assert.True(c.Length <= 350 * 1024));
        Assert.Equal(bytes, chunks.SelectMany(c => c.ToArray()).ToArray());
        Assert.True(Encoding.UTF8.GetByteCount(DlqEnricher.Envelope(arrival, DateTimeOffset.UnixEpoch)) < 8 * 1024, "the event stays small");
    }

    [Fact]
    public void Envelope_WhenTheSameMessageIsSeenTwice_ShouldHaveTheSameEventIdAndParseBack()
    {
        var a = Enrich("sqs-lambda-async-dlq.json")[0];
        var first = DlqEnricher.Envelope(a, new DateTimeOffset(2026, 3, 10, 9, 40, 0, TimeSpan.Zero));
        var again = DlqEnricher.Envelope(a, new DateTimeOffset(2026, 3, 10, 9, 41, 0, TimeSpan.Zero));

        var parsed = Assert.IsType<DlqArrivalEvent>(EventParser.Parse(first));
        Assert.Equal(parsed.Id, EventParser.Parse(again).Id);
        Assert.Equal(a.MessageId, parsed.Arrival.MessageId);
    }

    [Fact]
    public void Normalize_WhenGroupedByQueueAndErrorCode_ShouldKeyOneAlertPerGroup()
    {
        var config = new PipelineConfig
        {
            Defaults = new Defaults(),
            Receivers = [],
            Route = new RouteConfig { Receiver = "team" },
            Dlq = new DlqConfig(["queue", "errorCode"], "team"),
        };
        var alert = AlertNormalizer.Normalize(EventParser.Parse(SampleEvents.Bytes("dlq-message-arrived.json")), config);

        Assert.Equal("123456789012:us-east-1:arn:aws:sqs:us-east-1:123456789012:payments-webhook-dlq#queue=payments-webhook-dlq,errorCode=200", alert.Key);
        Assert.Equal((AlertSource.Dlq, AlertStatus.Firing, "payments-webhook-dlq (errorCode=200)"), (alert.Source, alert.Status, alert.Name));
        Assert.Equal("payments-webhook-dlq: message dead-lettered (200): Unhandled: NullReferenceException", alert.Summary);
        Assert.Equal("lambda", alert.Labels["failureKind"]);
        Assert.Equal("dlq", alert.Labels["source"]);
    }
}
