using System.Text.Json.Nodes;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests.Aot;

/// <summary>
/// The local stack with Decide running as the real AOT bootstrap (LocalStackOptions.BootstrapDir): the state machine
/// on aws-local-stepfunctions invokes the binary through the Lambda Invoke route, under Decide's role, on a wall clock.
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
        Assert.Equal((1, 1), (binary.DecideInvocations, binary.BootstrapInvocations));
        Assert.Equal((1, 0), (inProcess.DecideInvocations, inProcess.BootstrapInvocations));
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

    private static async Task<(List<string> Outbound, IReadOnlyList<string> Denials, long DecideInvocations, long BootstrapInvocations, string Log)> RunAsync(string alarm, string? bootstrapDir)
    {
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.Sample(), Clock = TimeProvider.System, BootstrapDir = bootstrapDir }, CancellationToken.None);
        var outcome = await stack.ExecuteAsync(alarm);
        var outbound = stack.Outbound.Select(o => $"{o.Receiver} {o.Channel} {o.Action} {o.DedupKey} {JsonNode.Parse(o.Payload.GetRawText())!.ToJsonString()}").ToList();
        return (outbound, stack.AccessDenials, stack.InvocationsByFunction.GetValueOrDefault("ops-decide"), stack.BootstrapInvocations, $"{outcome}\n{string.Join('\n', stack.ExecutionLog)}");
    }
}
