using System.Text;
using System.Text.Json;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests.Aot;

/// <summary>
/// The Runtime API loop of the real Native AOT bootstrap (the Makefile's package, what sam build deploys), run as a
/// child process behind <see cref="LocalRuntimeApi"/>: responses, errors, init errors, deadline and trace id.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Build", "Aot")]
public class BootstrapRuntimeTests
{
    private const string Decide = "OpsPipeline.Functions::OpsPipeline.Functions.DecideFunction::Handle";
    private static readonly byte[] Empty = "{}"u8.ToArray();

    [Fact]
    public async Task Invoke_WhenTheEchoHandlerRuns_ShouldSeeTheRequestIdFunctionArnDeadlineAndTraceHeader()
    {
        await using var api = await StartAsync("OpsPipeline.Bootstrap::InvocationEcho", new Dictionary<string, string>());
        const string trace = "Root=1-6751e3c0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1";

        var before = DateTimeOffset.UtcNow;
        var result = await api.InvokeAsync(Empty, TimeSpan.FromSeconds(10), trace);

        Assert.False(result.IsError, result.PayloadText);
        using var echo = JsonDocument.Parse(result.Payload);
        var root = echo.RootElement;
        Assert.Equal(result.RequestId, root.GetProperty("requestId").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:ops-echo", root.GetProperty("invokedFunctionArn").GetString());
        Assert.Equal(trace, root.GetProperty("traceId").GetString());
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("deadlineMs").GetInt64());
        Assert.InRange(deadline, before + TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1), DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10));
        Assert.InRange(root.GetProperty("remainingMs").GetDouble(), 1, 10_000);
        Assert.False(root.GetProperty("cancelled").GetBoolean());
    }

    [Fact]
    public async Task Invoke_WhenSeveralInvocationsReachOneProcess_ShouldSetEachOnesTraceIdAndLeaveNoneOver()
    {
        await using var api = await StartAsync("OpsPipeline.Bootstrap::InvocationEcho", new Dictionary<string, string>());
        string?[] traces = ["Root=1-6751e3c0-aaaaaaaaaaaaaaaaaaaaaaaa;Sampled=1", null, "Root=1-6751e3c1-bbbbbbbbbbbbbbbbbbbbbbbb;Sampled=0"];

        var echoes = new List<(string? Trace, string? Process, string? RequestId, string Expected)>();
        foreach (var trace in traces)
        {
            var result = await api.InvokeAsync(Empty, TimeSpan.FromSeconds(10), trace);
            Assert.False(result.IsError, result.PayloadText);
            using var echo = JsonDocument.Parse(result.Payload);
            echoes.Add((echo.RootElement.GetProperty("traceId").GetString(), echo.RootElement.GetProperty("processId").GetString(), echo.RootElement.GetProperty("requestId").GetString(), result.RequestId));
        }

        Assert.Equal(traces, echoes.Select(e => e.Trace));
        Assert.Single(echoes.Select(e => e.Process).Distinct());
        Assert.Equal(api.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), echoes[0].Process);
        Assert.All(echoes, e => Assert.Equal(e.Expected, e.RequestId));
    }

    [Fact]
    public async Task Invoke_WhenTheHandlerWaitsOnItsCancellation_ShouldBeCancelledBeforeTheDeadlineWithTimeToAnswer()
    {
        await using var api = await StartAsync("OpsPipeline.Bootstrap::InvocationEcho", new Dictionary<string, string>());

        var result = await api.InvokeAsync("{\"waitForCancellation\":true}"u8.ToArray(), TimeSpan.FromSeconds(2));

        // Answered, not timed out: the cancellation fired DeadlineReserve (250 ms) before Lambda's deadline.
        Assert.False(result.IsError, result.PayloadText);
        using var echo = JsonDocument.Parse(result.Payload);
        Assert.True(echo.RootElement.GetProperty("cancelled").GetBoolean());
        // The deadline header is in whole milliseconds and a timer may fire a millisecond or so early: a few ms of slack
        // above the reserve (CI once saw 251), none below zero.
        Assert.InRange(echo.RootElement.GetProperty("remainingMs").GetDouble(), 0, 250 + 10);
    }

    [Fact]
    public async Task Invoke_WhenTheHandlerThrows_ShouldPostAnInvocationErrorNamedByTheExceptionTypeAndServeTheNextInvocation()
    {
        await using var state = await LocalState.OpenAsync(Path.Combine(Path.GetTempPath(), $"aot-error-{Guid.NewGuid():N}"), CancellationToken.None);
        await using var api = await StartAsync(Decide, FunctionEnvironment(state));

        var failed = await api.InvokeAsync("not json"u8.ToArray(), TimeSpan.FromSeconds(10));
        var echoAfter = await api.InvokeAsync(await AlarmEventAsync("aot-after-error"), TimeSpan.FromSeconds(10));

        Assert.Equal("InvalidEventException", failed.FunctionError);
        using var error = JsonDocument.Parse(failed.Payload);
        Assert.Equal("InvalidEventException", error.RootElement.GetProperty("errorType").GetString());
        Assert.StartsWith("(root): not valid JSON: ", error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, error.RootElement.GetProperty("stackTrace").ValueKind);
        Assert.False(echoAfter.IsError, echoAfter.PayloadText);
    }

    [Fact]
    public async Task Init_WhenHandlerNamesNothingInTheBootstrap_ShouldPostInitErrorNoSuchHandlerAndExit()
    {
        await using var api = await StartAsync("OpsPipeline.Functions::OpsPipeline.Functions.NoFunction::Handle", new Dictionary<string, string>());

        var init = await api.Init.WaitAsync(TimeSpan.FromSeconds(30));
        var invocation = await api.InvokeAsync(Empty, TimeSpan.FromSeconds(5));

        Assert.NotNull(init);
        Assert.Equal("Runtime.NoSuchHandler", init!.ErrorType);
        Assert.Equal("{\"errorType\":\"Runtime.NoSuchHandler\",\"errorMessage\":\"no handler OpsPipeline.Functions::OpsPipeline.Functions.NoFunction::Handle in this bootstrap\",\"stackTrace\":[]}", init.BodyText);
        Assert.Equal("Runtime.NoSuchHandler", invocation.FunctionError);
    }

    [Fact]
    public async Task Init_WhenTheHandlersConstructorFails_ShouldPostInitErrorWithTheExceptionAndExit()
    {
        // Decide without TABLE_NAME: PipelineRuntime.FromEnvironment refuses to start.
        var environment = new Dictionary<string, string>
        {
            ["OpsEmailTopicArn"] = "arn:aws:sns:us-east-1:123456789012:ops-email",
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
        };
        await using var api = await StartAsync(Decide, environment);

        var init = await api.Init.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotNull(init);
        Assert.Equal("InvalidOperationException", init!.ErrorType);
        using var body = JsonDocument.Parse(init.Body);
        Assert.Equal("InvalidOperationException", body.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("TABLE_NAME is not set", body.RootElement.GetProperty("errorMessage").GetString());
        Assert.Contains("bootstrap: init failed: ", api.Log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DecideFunction")]
    [InlineData("TickFunction")]
    [InlineData("DeliverFunction")]
    [InlineData("DlqEnrichFunction")]
    public async Task Init_WhenTheTemplatesHandlerIsStarted_ShouldAskForItsFirstInvocation(string logicalId)
    {
        // The expanded template is what CloudFormation deploys: the handler strings there are what _HANDLER carries.
        using var template = JsonDocument.Parse(await File.ReadAllTextAsync(RepoPaths.ExpandedTemplate));
        var handler = template.RootElement.GetProperty("Resources").GetProperty(logicalId).GetProperty("Properties").GetProperty("Handler").GetString()!;
        await using var state = await LocalState.OpenAsync(Path.Combine(Path.GetTempPath(), $"aot-init-{Guid.NewGuid():N}"), CancellationToken.None);
        await using var api = await StartAsync(handler, FunctionEnvironment(state));

        var init = await api.Init.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(init is null, $"{logicalId} ({handler}): {init?.BodyText}\n{api.Log}");
    }

    internal static async Task<LocalRuntimeApi> StartAsync(string handler, IReadOnlyDictionary<string, string> environment) =>
        await LocalRuntimeApi.StartAsync(await BootstrapPackage.BootstrapAsync(), handler, handler.Contains("Echo", StringComparison.Ordinal) ? "ops-echo" : "ops-decide", environment);

    /// <summary>The variables template.yaml gives the functions, pointed at the local DynamoDB.</summary>
    internal static Dictionary<string, string> FunctionEnvironment(LocalState state) => new()
    {
        ["TABLE_NAME"] = LocalStack.TableName,
        ["OPS_CONFIG_FILE"] = "ops-pipeline.yaml",
        ["OpsEmailTopicArn"] = "arn:aws:sns:us-east-1:123456789012:ops-email",
        ["SECRETS_PREFIX"] = "/ops/",
        ["ARCHIVE_RETENTION_DAYS"] = "30",
        ["AWS_ENDPOINT_URL_DYNAMODB"] = state.Endpoint,
        ["AWS_ACCESS_KEY_ID"] = "local",
        ["AWS_SECRET_ACCESS_KEY"] = "local",
        ["AWS_SESSION_TOKEN"] = "local",
    };

    /// <summary>events/cloudwatch-alarm-single-metric.json as a fresh alarm (own name, ARN and event id).</summary>
    internal static async Task<byte[]> AlarmEventAsync(string alarm, string? eventId = null)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json")))!;
        node["id"] = eventId ?? $"{alarm}-{Guid.NewGuid():N}";
        node["detail"]!["alarmName"] = alarm;
        node["resources"] = new System.Text.Json.Nodes.JsonArray($"arn:aws:cloudwatch:{node["region"]}:{node["account"]}:alarm:{alarm}");
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
