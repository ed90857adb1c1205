using OpsCtl;

namespace OpsPipeline.Integration.Tests;

/// <summary>The arithmetic and report behind `opsctl coldstart` (the runs themselves are a benchmark, not a test).</summary>
public class ColdStartTests
{
    [Theory]
    [InlineData(new[] { 5.0 }, 5.0)]
    [InlineData(new[] { 9.0, 1.0, 5.0 }, 5.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    public void Median_WhenGivenRunsInAnyOrder_ShouldBeTheMiddleValue(double[] values, double expected)
    {
        Assert.Equal(expected, ColdStartCommand.Median(values));
    }

    [Fact]
    public void Report_WhenTwoVariantsRan_ShouldPrintEachVariantsMedianMinMaxAndThePackageSizes()
    {
        var results = new Dictionary<string, List<ColdStartCommand.ProbeRun>>
        {
            ["JIT"] = [new(600, 150, 400, "x", 8000, 300), new(500, 140, 300, "x", 8100, 250), new(700, 160, 500, "x", 7900, 350)],
            ["ReadyToRun"] = [new(300, 80, 200, "x", 1200, 150), new(280, 70, 190, "x", 1100, 140), new(320, 90, 210, "x", 1300, 170)],
        };

        var report = ColdStartCommand.Report("event.json", 3, "linux-x64", results, [30, 40, 35], [("JIT", 2 * 1048576, 5 * 1048576), ("ReadyToRun", 4 * 1048576, 13 * 1048576)]);

        var lines = report.Split('\n');
        Assert.Equal(["JIT", "600.0", "500.0", "700.0", "150.0", "400.0", "8000", "300.0"], lines.Single(l => l.StartsWith("  JIT ", StringComparison.Ordinal) && !l.Contains("zip", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["ReadyToRun", "300.0", "280.0", "320.0", "80.0", "200.0", "1200", "150.0"], lines.Single(l => l.StartsWith("  ReadyToRun  ", StringComparison.Ordinal) && !l.Contains("zip", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("  floor (runtime start, no event): median 35.0 ms", report, StringComparison.Ordinal);
        Assert.Contains("  ReadyToRun    zip 4.0 MiB, unzipped 13.0 MiB", report, StringComparison.Ordinal);
    }
}

/// <summary>The bootstrap section of `opsctl coldstart`: each function's medians, its peak memory and the package size.</summary>
public class BootstrapColdStartReportTests
{
    [Fact]
    public void BootstrapReport_WhenFunctionsRan_ShouldPrintEachOnesMedianMinMaxInitAndPeakMemory()
    {
        var results = new Dictionary<string, List<ColdStartCommand.BootstrapRun>>
        {
            ["Decide"] = [new(40, 12, 30 * 1048576, "notify:x", 20), new(30, 10, 32 * 1048576, "notify:x", 30), new(50, 14, 31 * 1048576, "notify:x", 40)],
            ["Deliver"] = [new(15, 15, 20 * 1048576, "ready", 10)],
        };

        var report = ColdStartCommand.BootstrapReport(3, results, 6 * 1048576, 16 * 1048576);

        var lines = report.Split('\n');
        Assert.Equal(["Decide", "40.0", "30.0", "50.0", "12.0", "32.0", "30"], lines.Single(l => l.StartsWith("  Decide ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["Deliver", "15.0", "15.0", "15.0", "15.0", "20.0", "10"], lines.Single(l => l.StartsWith("  Deliver ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("  package: zip 6.0 MiB, unzipped 16.0 MiB (bootstrap + ops-pipeline.yaml)", report, StringComparison.Ordinal);
    }
}
