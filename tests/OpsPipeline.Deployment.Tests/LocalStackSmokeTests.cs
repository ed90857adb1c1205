using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// stack.mjs runs the real ASL on aws-local-stepfunctions: Lambda tasks reach AWS_ENDPOINT_URL_LAMBDA,
/// service-integration tasks (also inside the Map) reach the sink, Retry/Catch behave as deployed.
/// </summary>
public sealed class LocalStackSmokeTests
{
    private const string DecideArn = "arn:aws:lambda:us-east-1:000000000000:function:ops-decide";
    private const string DeliverArn = "arn:aws:lambda:us-east-1:000000000000:function:ops-deliver";
    private const string ParkedQueue = "https://sqs.us-east-1.amazonaws.com/000000000000/ops-parked-events";
    private const string FailedQueue = "https://sqs.us-east-1.amazonaws.com/000000000000/ops-failed-deliveries";
    private const string TopicArn = "arn:aws:sns:us-east-1:000000000000:ops-email";

    private static readonly Dictionary<string, string> Substitutions = new(StringComparer.Ordinal)
    {
        ["DecideFunctionArn"] = DecideArn,
        ["DeliverFunctionArn"] = DeliverArn,
        ["ParkedEventQueueUrl"] = ParkedQueue,
        ["TickFunctionArn"] = "arn:aws:lambda:us-east-1:123456789012:function:ops-tick",
        ["FailedDeliveryQueueUrl"] = FailedQueue,
        ["TableName"] = "ops-pipeline",
    };

    private static readonly JsonNode AlarmEvent = JsonNode.Parse("""
        {
          "version": "0", "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
          "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
          "account": "123456789012", "time": "2019-10-02T17:04:40Z", "region": "us-east-1",
          "resources": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:billing-export-errors"],
          "detail": { "alarmName": "billing-export-errors", "state": { "value": "ALARM" } }
        }
        """)!;

    [Fact]
    public async Task Execute_WhenDecideReturnsOneSnsDelivery_ShouldPublishItAndSucceedInFewTransitions()
    {
        var delivery = Delivery("sns", """{"target": {"topicArn": "arn:aws:sns:us-east-1:000000000000:ops-email"}, "subject": "ALARM: billing-export-errors", "payload": "{\"alarm\":\"billing-export-errors\"}"}""");
        using var host = new FakeLambdaHost((function, _) => function == DecideArn ? Decided(delivery) : new LambdaAnswer(null));
        await using var stack = StackProcess.Start(host.BaseUrl, Substitutions);
        var ready = await stack.ReadyAsync();

        var result = await stack.ExecuteAsync("e-1", AlarmEvent);

        Assert.Equal("SUCCEEDED", result["status"]!.GetValue<string>());
        Assert.True(result["transitions"]!.GetValue<int>() is > 0 and <= 8, $"transitions: {result["transitions"]}");
        Assert.Equal("notify", result["output"]!["decision"]!.GetValue<string>());
        var invocation = Assert.Single(host.Invocations);
        Assert.Equal(DecideArn, invocation.Function);
        Assert.True(JsonNode.DeepEquals(AlarmEvent, invocation.Payload), "Decide must get the event unchanged");
        var publish = Assert.Single(host.TaskCalls);
        Assert.Equal("sns/publish", publish.Task);
        Assert.Equal(TopicArn, publish.Input!["TopicArn"]!.GetValue<string>());
        Assert.Equal("""{"alarm":"billing-export-errors"}""", publish.Input["Message"]!.GetValue<string>());
        Assert.Equal("ALARM: billing-export-errors", publish.Input["Subject"]!.GetValue<string>());
        var attributes = publish.Input["MessageAttributes"]!;
        Assert.Equal("email", attributes["receiver"]!["StringValue"]!.GetValue<string>());
        Assert.Equal("trigger", attributes["action"]!["StringValue"]!.GetValue<string>());
        Assert.Equal(delivery["alertKey"]!.GetValue<string>(), attributes["alertKey"]!["StringValue"]!.GetValue<string>());
        Assert.Equal("d41d8cd98f00b204", attributes["dedupKey"]!["StringValue"]!.GetValue<string>());
        Assert.Equal("false", attributes["drill"]!["StringValue"]!.GetValue<string>());
        Assert.Equal(0, await stack.CloseAsync());
        Assert.Equal(2, stack.StdoutLines.Count);
        Assert.StartsWith("http://127.0.0.1:", ready["dynamodbEndpoint"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_WhenDecideRejectsTheEvent_ShouldParkTheRawInputWithTheErrorAndSucceed()
    {
        using var host = new FakeLambdaHost((_, _) => LambdaAnswer.Fails("InvalidEventException", "detail.state.value: required field is missing"));
        await using var stack = StackProcess.Start(host.BaseUrl, Substitutions);
        await stack.ReadyAsync();

        var result = await stack.ExecuteAsync("bad-1", AlarmEvent);

        Assert.Equal("SUCCEEDED", result["status"]!.GetValue<string>());
        Assert.Equal("InvalidEventException", result["output"]!["Error"]!.GetValue<string>());
        var park = Assert.Single(host.TaskCalls);
        Assert.Equal("sqs/sendMessage", park.Task);
        Assert.Equal(ParkedQueue, park.Input!["QueueUrl"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(AlarmEvent, park.Input["MessageBody"]!["event"]), "the parked message must hold the raw event");
        Assert.Equal("InvalidEventException", park.Input["MessageBody"]!["error"]!["Error"]!.GetValue<string>());
        Assert.Contains("detail.state.value: required field is missing", park.Input["MessageBody"]!["error"]!["Cause"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await stack.CloseAsync());
    }

    [Fact]
    public async Task Execute_WhenDeliverKeepsFailingTransiently_ShouldRetryFourTimesThenParkTheWholeDelivery()
    {
        var delivery = Delivery("slack", """{"target": {"parameter": "/ops/slack/team"}, "payload": {"text": "checkout-api-5xx is ALARM"}}""");
        using var host = new FakeLambdaHost((function, _) => function == DecideArn
            ? Decided(delivery)
            : LambdaAnswer.Fails("TransientDeliveryException", "slack answered 503"));
        await using var stack = StackProcess.Start(host.BaseUrl, Substitutions, retryIntervalMs: 1);
        await stack.ReadyAsync();

        var result = await stack.ExecuteAsync("flaky-1", AlarmEvent);

        Assert.Equal("SUCCEEDED", result["status"]!.GetValue<string>());
        var deliverCalls = host.Invocations.Where(i => i.Function == DeliverArn).ToList();
        Assert.Equal(5, deliverCalls.Count);
        // Deliver gets the delivery and the execution's start, from which it tells how much time is left.
        Assert.All(deliverCalls, call => Assert.True(JsonNode.DeepEquals(delivery, call.Payload!["delivery"])));
        Assert.All(deliverCalls, call => Assert.True(DateTimeOffset.TryParse(call.Payload!["executionStartedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _)));
        var park = Assert.Single(host.TaskCalls);
        Assert.Equal("sqs/sendMessage", park.Task);
        Assert.Equal(FailedQueue, park.Input!["QueueUrl"]!.GetValue<string>());
        var parked = park.Input["MessageBody"]!.AsObject();
        Assert.Equal("TransientDeliveryException", parked["error"]!["Error"]!.GetValue<string>());
        parked.Remove("error");
        Assert.True(JsonNode.DeepEquals(delivery, parked), "the parked message must hold the whole delivery");
        Assert.Equal(0, await stack.CloseAsync());
    }

    [Fact]
    public async Task Execute_WhenDeliverFailsPermanently_ShouldParkWithoutRetrying()
    {
        var delivery = Delivery("pagerduty", """{"target": {"parameter": "/ops/pagerduty/routing-key"}, "payload": {"event_action": "trigger"}}""");
        using var host = new FakeLambdaHost((function, _) => function == DecideArn
            ? Decided(delivery)
            : LambdaAnswer.Fails("PermanentDeliveryException", "pagerduty answered 400: invalid routing key"));
        await using var stack = StackProcess.Start(host.BaseUrl, Substitutions, retryIntervalMs: 1);
        await stack.ReadyAsync();

        var result = await stack.ExecuteAsync("perm-1", AlarmEvent);

        Assert.Equal("SUCCEEDED", result["status"]!.GetValue<string>());
        Assert.Single(host.Invocations, i => i.Function == DeliverArn);
        var park = Assert.Single(host.TaskCalls);
        Assert.Equal(FailedQueue, park.Input!["QueueUrl"]!.GetValue<string>());
        Assert.Equal("PermanentDeliveryException", park.Input["MessageBody"]!["error"]!["Error"]!.GetValue<string>());
        Assert.Equal(0, await stack.CloseAsync());
    }

    [Fact]
    public async Task Execute_WhenManyStartAtOnce_ShouldAnswerEachIdOnce()
    {
        using var host = new FakeLambdaHost((_, input) => new LambdaAnswer(JsonNode.Parse($$"""
            {"eventId": "{{input!["id"]}}", "alertKey": null, "decision": "duplicate", "reason": "seen", "deliveries": []}
            """)));
        await using var stack = StackProcess.Start(host.BaseUrl, Substitutions);
        await stack.ReadyAsync();

        var results = await Task.WhenAll(Enumerable.Range(1, 5).Select(i =>
            stack.ExecuteAsync($"c-{i}", JsonNode.Parse($$"""{"id": "event-{{i}}"}"""))));

        Assert.All(results, r => Assert.Equal("SUCCEEDED", r["status"]!.GetValue<string>()));
        Assert.Equal(
            ["event-1", "event-2", "event-3", "event-4", "event-5"],
            results.Select(r => r["output"]!["eventId"]!.GetValue<string>()));
        Assert.Equal(0, await stack.CloseAsync());
        Assert.Equal(6, stack.StdoutLines.Count);
    }

    [Fact]
    public async Task Ready_WhenStarted_ShouldServeDynamoDbOnTheAnnouncedEndpoint()
    {
        using var host = new FakeLambdaHost((_, _) => new LambdaAnswer(null));
        await using var stack = StackProcess.Start(host.BaseUrl, Substitutions);
        var endpoint = (await stack.ReadyAsync())["dynamodbEndpoint"]!.GetValue<string>();

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent("{}", Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.Add("X-Amz-Target", "DynamoDB_20120810.ListTables");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
        request.Headers.Add("X-Amz-Date", "20250101T000000Z");
        using var response = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"TableNames":[]}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await stack.CloseAsync());
    }

    [Fact]
    public async Task Start_WhenASubstitutionIsMissing_ShouldExitNamingIt()
    {
        using var host = new FakeLambdaHost((_, _) => new LambdaAnswer(null));
        var partial = Substitutions.Where(kv => kv.Key != "FailedDeliveryQueueUrl").ToDictionary(StringComparer.Ordinal);
        await using var stack = StackProcess.Start(host.BaseUrl, partial);

        var exitCode = await stack.CloseAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("missing substitution(s): FailedDeliveryQueueUrl", stack.Stderr, StringComparison.Ordinal);
        Assert.Empty(stack.StdoutLines);
    }

    /// <summary>A Delivery as Decide emits it (camelCase contract of OpsPipeline.Core.Decisions.Delivery).</summary>
    private static JsonObject Delivery(string channel, string targetAndPayload)
    {
        var delivery = new JsonObject
        {
            ["receiver"] = channel == "sns" ? "email" : "team",
            ["channel"] = channel,
            ["action"] = "trigger",
            ["alertKey"] = "123456789012/us-east-1/arn:aws:cloudwatch:us-east-1:123456789012:alarm:billing-export-errors",
            ["dedupKey"] = "d41d8cd98f00b204",
            ["drill"] = false,
        };
        foreach (var (key, value) in JsonNode.Parse(targetAndPayload)!.AsObject())
        {
            delivery[key] = value?.DeepClone();
        }

        return delivery;
    }

    [Fact]
    public async Task Execute_WhenAStateOutputExceedsTheStepFunctionsPayloadQuota_ShouldFailWithDataLimitExceededUncaught()
    {
        // 300 KiB of deliveries: Lambda may return it (6 MB), Step Functions may not carry it (256 KiB), and no Catch
        // takes States.DataLimitExceeded, so nothing is sent from it.
        var delivery = Delivery("sns", """{"target": {"topicArn": "arn:aws:sns:us-east-1:000000000000:ops-email"}, "subject": "s", "payload": "x"}""");
        delivery["payload"] = new string('x', 300 * 1024);
        using var host = new FakeLambdaHost((function, _) => function == DecideArn ? Decided(delivery) : new LambdaAnswer(null));
        await using var stack = StackProcess.Start(host.BaseUrl, Substitutions);
        await stack.ReadyAsync();

        var result = await stack.ExecuteAsync("big-1", AlarmEvent);

        Assert.Equal("FAILED", result["status"]!.GetValue<string>());
        Assert.Equal("States.DataLimitExceeded", result["error"]!.GetValue<string>());
        Assert.Contains("'Decide alert'", result["cause"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(host.TaskCalls);
    }

    [Fact]
    public async Task Execute_WhenTheInputExceedsTheStepFunctionsPayloadQuota_ShouldNotStart()
    {
        using var host = new FakeLambdaHost((_, _) => new LambdaAnswer(null));
        await using var stack = StackProcess.Start(host.BaseUrl, Substitutions);
        await stack.ReadyAsync();

        var result = await stack.ExecuteAsync("big-in", new JsonObject { ["detail"] = new string('x', 257 * 1024) });

        Assert.Equal("FAILED", result["status"]!.GetValue<string>());
        Assert.Equal("States.DataLimitExceeded", result["error"]!.GetValue<string>());
        Assert.Empty(host.Invocations);
    }

    private static LambdaAnswer Decided(JsonObject delivery) => new(new JsonObject
    {
        ["eventId"] = "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
        ["alertKey"] = delivery["alertKey"]!.DeepClone(),
        ["decision"] = "notify",
        ["reason"] = "ALARM after OK",
        ["deliveries"] = new JsonArray(delivery.DeepClone()),
    });
}
