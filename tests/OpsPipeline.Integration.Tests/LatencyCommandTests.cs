using OpsCtl;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// `opsctl latency` measures what it says (issue 19): every run reaches PagerDuty's request through Decide and Deliver
/// in that order, and its stages are contiguous, so they add up to the total. It asserts no duration: the numbers are
/// the benchmark's, quoted in docs/benchmarks.md.
/// </summary>
[Trait("Category", "Integration")]
public class LatencyCommandTests
{
    [Fact]
    public async Task Latency_WhenAlarmsPage_ShouldTimeEachStageInOrderAndAddUpToTheTotal()
    {
        var samples = await LatencyCommand.MeasureAsync(OpsCtl.Local.RepoPaths.SampleConfig, 3, LatencyCommand.Mode.Managed, CancellationToken.None);

        Assert.Equal(3, samples.Count);
        Assert.All(samples, s => Assert.Equal(LatencyCommand.Stages.Count, s.Stages.Count));
        Assert.All(samples, s => Assert.All(s.Stages, ms => Assert.True(ms >= 0, $"a stage ran backwards: {string.Join(", ", s.Stages)}")));
        Assert.All(samples, s => Assert.True(Math.Abs(s.Total - s.Stages.Sum()) < 0.001, $"total {s.Total} vs stages {string.Join(" + ", s.Stages)}")); // each stage rounds to 100 ns
        var report = LatencyCommand.Report(samples);
        Assert.Contains("largest contributor at p50: ", report, StringComparison.Ordinal);
        Assert.All(LatencyCommand.Stages, stage => Assert.Contains(stage.Name, report, StringComparison.Ordinal));
    }
}
