using System.Text.Json.Nodes;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests.Aot;

/// <summary>
/// The local stack with every function running as the real AOT bootstrap (LocalStackOptions.BootstrapDir): the state
/// machine on aws-local-stepfunctions invokes the binaries through the Lambda Invoke route, the Pipe invokes DlqEnrich,
/// each under its own role, on a wall clock; each result compared with the in-process handlers'.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Build", "Aot")]
public class LocalStackBootstrapTests
{
    [Fact]
    public async Task Execute_WhenDecideIsTheBootstrap_ShouldPageExactlyAsTheInProcessDecide()
    {
        var alarm = (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json"))).Replace("\n", " ", StringComparison.Ordinal);

        var binary = await RunAsync(alarm, await BootstrapPackage.DirectoryAsync());
        var inProcess = await RunAsync(alarm, bootstrapDir: null);

        Assert.True(binary.Outbound.Count > 0, binary.Log);
        Assert.Equal(inProcess.Outbound, binary.Outbound);
        Assert.Empty(binary.Denials);
        // Decide, then Deliver once per page: every invocation answered by the binary, one process per function.
        Assert.Equal((1, 1 + binary.Outbound.Count, 2), (binary.DecideInvocations, binary.BootstrapInvocations, binary.Processes));
        Assert.Equal((1, 0, 0), (inProcess.DecideInvocations, inProcess.BootstrapInvocations, inProcess.Processes));
    }

    [Fact]
    public async Task Tick_WhenTheBootstrapReleasesAGroupAfterItsWait_ShouldSendTheDigestTheInProcessTickSends()
    {
        // The sample with a 1 s group wait: the Slack digest waits for a tick, which the Tick binary runs.
        var configFile = Path.Combine(Path.GetTempPath(), $"aot-tick-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(configFile, (await File.ReadAllTextAsync(RepoPaths.SampleConfig)).Replace("groupWait: 30s", "groupWait: 1s", StringComparison.Ordinal));
        try
        {
            // Not a checkout alarm (critical, paged at once), not the SLO's: the default route, team's Slack, after the wait.
            var alarm = Renamed(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json")), "orders-grouped-aot");

            var binary = await TickAsync(alarm, configFile, await BootstrapPackage.DirectoryAsync());
            var inProcess = await TickAsync(alarm, configFile, bootstrapDir: null);

            Assert.Equal(["team slack"], inProcess.AfterTick);
            Assert.Equal(["team slack"], binary.AfterTick);
            Assert.Equal(inProcess.AfterTick, binary.AfterTick);
            Assert.Equal(inProcess.Digest, binary.Digest);
            Assert.True(binary.TickOnBinary, "the tick's invocation was not answered by the Tick binary");
        }
        finally
        {
            File.Delete(configFile);
        }
    }

    [Fact]
    public async Task Pipe_WhenTheDlqEnrichBootstrapEnrichesABatch_ShouldPutTheArrivalsTheInProcessFunctionPuts()
    {
        var batch = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Events, "sqs-lambda-async-dlq.json"));

        var binary = await EnrichAsync(batch, await BootstrapPackage.DirectoryAsync());
        var inProcess = await EnrichAsync(batch, bootstrapDir: null);

        Assert.NotEmpty(binary.Arrivals);
        Assert.Equal(inProcess.Arrivals, binary.Arrivals);
        Assert.Equal((1L, 1), (binary.BootstrapInvocations, binary.Processes));
        Assert.Empty(binary.Denials);
    }

    [Fact]
    public async Task Execute_WhenEveryBootstrapIsRecycledBetweenAlarms_ShouldStartNewProcessesAndStillPageEachAlarmOnce()
    {
        var template = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json"));
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = TimeProvider.System, BootstrapDir = await BootstrapPackage.DirectoryAsync() }, CancellationToken.None);

        foreach (var name in new[] { "checkout-cold-1", "checkout-cold-2" })
        {
            await stack.RecycleBootstrapsAsync(CancellationToken.None);
            var outcome = await stack.ExecuteAsync(Renamed(template, name));
            Assert.Equal("SUCCEEDED", outcome.Status);
        }

        // Each alarm: a new Decide and a new Deliver process (cold), one page each to PagerDuty.
        Assert.Equal(4, stack.BootstrapProcessesStarted);
        var pages = stack.Outbound.Where(o => o.Channel == "pagerduty").ToList();
        Assert.Equal(2, pages.Count);
        Assert.Contains("checkout-cold-1", pages[0].Payload.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("checkout-cold-2", pages[1].Payload.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(stack.AccessDenials);
    }

    private static string Renamed(string alarmEvent, string name)
    {
        var node = JsonNode.Parse(alarmEvent)!;
        var old = (string)node["detail"]!["alarmName"]!;
        node["id"] = Guid.NewGuid().ToString();
        return node.ToJsonString().Replace(old, name, StringComparison.Ordinal);
    }

    private static async Task<(List<string> AfterTick, List<string> Digest, bool TickOnBinary)> TickAsync(string alarm, string configFile, string? bootstrapDir)
    {
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = OpsCtl.Cli.LoadConfig(configFile)!, ConfigFile = configFile, Clock = TimeProvider.System, BootstrapDir = bootstrapDir }, CancellationToken.None);
        Assert.Equal("SUCCEEDED", (await stack.ExecuteAsync(alarm)).Status);
        var before = stack.Outbound.Count;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var bootstrapBefore = stack.BootstrapInvocations;
        var tick = await stack.ExecuteAsync(LocalStack.TickInput(TimeProvider.System.GetUtcNow()));
        Assert.True(tick.Status == "SUCCEEDED" && stack.Outbound.Count > before, $"{tick}\n{string.Join('\n', stack.ExecutionLog)}");
        Assert.Empty(stack.AccessDenials);
        var after = stack.Outbound.Skip(before).ToList();
        // The digest's text names when it was sent: compare its shape (blocks and their kinds), not the clock.
        var digest = after.Select(o => string.Join(",", JsonNode.Parse(o.Payload.GetRawText())!.AsObject().Select(p => p.Key))).ToList();
        return ([.. after.Select(o => $"{o.Receiver} {o.Channel}")], digest, stack.BootstrapInvocations > bootstrapBefore + after.Count);
    }

    private static async Task<(List<string> Arrivals, long BootstrapInvocations, int Processes, IReadOnlyList<string> Denials)> EnrichAsync(byte[] batch, string? bootstrapDir)
    {
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = TimeProvider.System, BootstrapDir = bootstrapDir }, CancellationToken.None);
        var arrivals = await stack.EnrichThroughPipeAsync(batch, CancellationToken.None);
        return ([.. arrivals.Select(a => System.Text.Json.JsonSerializer.Serialize(a, OpsPipeline.Core.Events.DlqArrivalJsonContext.Default.DlqArrival))], stack.BootstrapInvocations, stack.BootstrapProcessesStarted, stack.AccessDenials);
    }

    [Fact]
    public async Task Execute_WhenTheBootstrapRefusesTheEvent_ShouldParkItUnderTheSameErrorAsTheInProcessDecide()
    {
        // No detail.alarmName: Decide throws InvalidEventException, which the state machine's Catch parks by name.
        var node = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json")))!;
        node["detail"]!.AsObject().Remove("alarmName");
        var refused = node.ToJsonString();

        var binary = await ParkAsync(refused, await BootstrapPackage.DirectoryAsync());
        var inProcess = await ParkAsync(refused, bootstrapDir: null);

        Assert.True(binary.Parked.Contains("InvalidEventException", StringComparison.Ordinal), $"{binary.Status} / in process: {inProcess.Status} {inProcess.Parked}");
        Assert.Equal(inProcess.Parked, binary.Parked);
        Assert.Equal(inProcess.Status, binary.Status);
    }

    [Fact]
    public async Task Start_WhenBootstrapRunsOnAManualClock_ShouldBeRefused()
    {
        var options = new LocalStackOptions { Config = TestConfig.Sample(), Clock = new ManualClock(DateTimeOffset.UnixEpoch), BootstrapDir = "/nonexistent" };

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => LocalStack.StartAsync(options, CancellationToken.None));

        Assert.StartsWith("BootstrapDir: the bootstrap reads the wall clock", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<(string Parked, string Status)> ParkAsync(string input, string? bootstrapDir)
    {
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = TimeProvider.System, BootstrapDir = bootstrapDir }, CancellationToken.None);
        var outcome = await stack.ExecuteAsync(input);
        // The refusal, then the Catch's call that parks the event: both are Decide, both the binary.
        Assert.Equal(bootstrapDir is null ? 0 : 2, stack.BootstrapInvocations);
        // The parked copy carries the time it was parked: compare everything else.
        var parked = stack.Parked.Select(p => JsonNode.Parse(p.Body)!).Select(p => { Strip(p); return p.ToJsonString(); });
        return (string.Join('\n', parked), outcome.Status);
    }

    private static void Strip(JsonNode node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Select(k => k.Key).Where(k => k is "parkedAt" or "time" or "executionStartedAt").ToList())
            {
                o.Remove(key);
            }

            foreach (var child in o.Select(k => k.Value).ToList())
            {
                if (child is not null)
                {
                    Strip(child);
                }
            }
        }
    }

    private static async Task<(List<string> Outbound, IReadOnlyList<string> Denials, long DecideInvocations, long BootstrapInvocations, int Processes, string Log)> RunAsync(string alarm, string? bootstrapDir)
    {
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = TimeProvider.System, BootstrapDir = bootstrapDir }, CancellationToken.None);
        var outcome = await stack.ExecuteAsync(alarm);
        var outbound = stack.Outbound.Select(o => $"{o.Receiver} {o.Channel} {o.Action} {o.DedupKey} {JsonNode.Parse(o.Payload.GetRawText())!.ToJsonString()}").ToList();
        return (outbound, stack.AccessDenials, stack.InvocationsByFunction.GetValueOrDefault("ops-decide"), stack.BootstrapInvocations, stack.BootstrapProcessesStarted, $"{outcome}\n{string.Join('\n', stack.ExecutionLog)}");
    }
}
