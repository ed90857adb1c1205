using System.Text.Json;
using System.Text.Json.Nodes;
using OpsCtl.Local;
using OpsPipeline.Functions;
using OpsPipeline.Functions.Adapters;

namespace OpsPipeline.Integration.Tests.Aot;

/// <summary>
/// A named subset of the pipeline through the real AOT bootstrap, against the local DynamoDB on a wall clock
/// (the binary takes neither the local stack's manual clock nor its counting client): Decide on sample alarms
/// (first trigger, duplicate event) and DlqEnrich on sample DLQ records, each compared with the managed handler.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Build", "Aot")]
public class BootstrapPipelineTests
{
    private const string Decide = "OpsPipeline.Functions::OpsPipeline.Functions.DecideFunction::Handle";
    private const string DlqEnrich = "OpsPipeline.Functions::OpsPipeline.Functions.DlqEnrichFunction::Handle";

    [Fact]
    public async Task Decide_WhenAFirstAlarmArrives_ShouldDecideExactlyWhatTheManagedHandlerDecides()
    {
        var alarm = "checkout-api-5xx-aot";
        var eventBytes = await BootstrapRuntimeTests.AlarmEventAsync(alarm, eventId: "aot-first-trigger");
        await using var state = await LocalState.OpenAsync(Path.Combine(Path.GetTempPath(), $"aot-decide-{Guid.NewGuid():N}"), CancellationToken.None);
        await using var api = await BootstrapRuntimeTests.StartAsync(Decide, BootstrapRuntimeTests.FunctionEnvironment(state));
        await using var managed = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = TimeProvider.System }, CancellationToken.None);

        var aot = await api.InvokeAsync(eventBytes, TimeSpan.FromSeconds(10));
        using var managedOutput = await new DecideFunction(managed.Runtime).Handle(new MemoryStream(eventBytes));

        Assert.False(aot.IsError, aot.PayloadText + api.Log);
        var aotResult = JsonNode.Parse(aot.Payload)!;
        Assert.Equal("notify", (string?)aotResult["decision"]);
        Assert.Equal(JsonNode.Parse(managedOutput)!.ToJsonString(), aotResult.ToJsonString());
        var (stored, _) = await new DynamoAlertStateStore(state.Dynamo, LocalStack.TableName).GetAsync((string)aotResult["alertKey"]!, withSources: false, default);
        Assert.NotNull(stored);
    }

    [Fact]
    public async Task Decide_WhenTheSameEventArrivesTwice_ShouldChangeNothingTheSecondTime()
    {
        var eventBytes = await BootstrapRuntimeTests.AlarmEventAsync("checkout-api-latency-aot", eventId: "aot-duplicate");
        await using var state = await LocalState.OpenAsync(Path.Combine(Path.GetTempPath(), $"aot-dup-{Guid.NewGuid():N}"), CancellationToken.None);
        await using var api = await BootstrapRuntimeTests.StartAsync(Decide, BootstrapRuntimeTests.FunctionEnvironment(state));

        var first = await api.InvokeAsync(eventBytes, TimeSpan.FromSeconds(10));
        var second = await api.InvokeAsync(eventBytes, TimeSpan.FromSeconds(10));

        Assert.False(first.IsError, first.PayloadText + api.Log);
        Assert.False(second.IsError, second.PayloadText + api.Log);
        var firstResult = JsonNode.Parse(first.Payload)!;
        var secondResult = JsonNode.Parse(second.Payload)!;
        Assert.Equal("notify", (string?)firstResult["decision"]);
        Assert.NotEmpty(firstResult["deliveries"]!.AsArray());
        Assert.Equal("duplicate", (string?)secondResult["decision"]);
        Assert.Empty(secondResult["deliveries"]!.AsArray());
    }

    [Theory]
    [InlineData("sqs-lambda-async-dlq.json")]
    [InlineData("sqs-eventbridge-rule-dlq.json")]
    public async Task DlqEnrich_WhenSampleRecordsArrive_ShouldEnrichThemExactlyAsTheManagedHandler(string sample)
    {
        var records = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Events, sample));
        await using var state = await LocalState.OpenAsync(Path.Combine(Path.GetTempPath(), $"aot-dlq-{Guid.NewGuid():N}"), CancellationToken.None);
        await using var api = await BootstrapRuntimeTests.StartAsync(DlqEnrich, BootstrapRuntimeTests.FunctionEnvironment(state));
        await using var managed = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = TimeProvider.System }, CancellationToken.None);

        var aot = await api.InvokeAsync(records, TimeSpan.FromSeconds(10));
        using var managedOutput = await new DlqEnrichFunction(managed.Runtime).Handle(new MemoryStream(records));

        Assert.False(aot.IsError, aot.PayloadText + api.Log);
        var arrivals = JsonNode.Parse(aot.Payload)!.AsArray();
        Assert.NotEmpty(arrivals);
        Assert.Equal(JsonNode.Parse(managedOutput)!.ToJsonString(), arrivals.ToJsonString());
    }
}
