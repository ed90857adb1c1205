using OpsCtl;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests.Aot;

/// <summary>
/// `opsctl latency --build aot` and `--cold` (issue 19) measure what they say: the pages go through the deployed
/// binaries, warm runs reuse one process per function, and every cold run starts a new Decide and a new Deliver. No
/// duration is asserted: the numbers are the benchmark's, quoted in docs/benchmarks.md.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Build", "Aot")]
public class LatencyColdTests
{
    [Fact]
    public async Task Latency_WhenEveryFunctionIsCold_ShouldStartADecideAndADeliverProcessForEveryEvent()
    {
        var samples = await LatencyCommand.MeasureAsync(RepoPaths.SampleConfig, 3, LatencyCommand.Mode.AotCold, CancellationToken.None);

        Assert.Equal([2, 2, 2], samples.Select(s => s.ColdStarts));
        Assert.All(samples, s => Assert.True(Math.Abs(s.Total - s.Stages.Sum()) < 0.001, $"total {s.Total} vs stages {string.Join(" + ", s.Stages)}"));
        var report = LatencyCommand.Report(samples, LatencyCommand.Mode.AotCold);
        Assert.Contains("every function cold", report, StringComparison.Ordinal);
        Assert.Contains("bootstrap processes started per measured event: 2.00", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latency_WhenTheBinariesStayWarm_ShouldStartEachFunctionOnceOnly()
    {
        var samples = await LatencyCommand.MeasureAsync(RepoPaths.SampleConfig, 3, LatencyCommand.Mode.AotWarm, CancellationToken.None);

        Assert.Equal([2, 0, 0], samples.Select(s => s.ColdStarts));
        Assert.Contains("warm, every function the deployed AOT bootstrap", LatencyCommand.Report(samples, LatencyCommand.Mode.AotWarm), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latency_WhenColdIsAskedOfTheManagedBuild_ShouldRefuseWithTheReason()
    {
        var (code, _, err) = await CliRunner.Opsctl("latency", "--cold", "--build", "managed", "--runs", "1");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--cold needs --build aot", err, StringComparison.Ordinal);
    }
}
