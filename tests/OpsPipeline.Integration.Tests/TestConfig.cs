using OpsCtl.Local;
using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Integration.Tests;

/// <summary>The configs the scenarios run with: the repo's sample (as users get it) or one written inline.</summary>
internal static class TestConfig
{
    public static PipelineConfig Sample() => OpsCtl.Cli.LoadConfig(RepoPaths.SampleConfig)
        ?? throw new InvalidOperationException("the sample config does not load");

    /// <summary>
    /// The sample without its SLOs: scenarios about alarm notifications assert exact deliveries, and the SLO's
    /// burn-rate pages for checkout-api-5xx (covered in BudgetScenarioTests) would otherwise join them.
    /// </summary>
    public static PipelineConfig AlarmsOnly() => Sample() with { Slos = [] };

    public static PipelineConfig Inline(string yaml) => ConfigLoader.Load(yaml, "inline.yaml", new Dictionary<string, string> { ["OpsEmailTopicArn"] = "arn:aws:sns:us-east-1:000000000000:ops-email" });

    public static async Task<(RunSummary Summary, IReadOnlyList<OutboundRecord> Outbound, IReadOnlyList<ParkedRecord> Parked, string Err)> RunAsync(
        IEnumerable<string> events, PipelineConfig? config = null, Action<LocalStack>? prepare = null, IReadOnlyDictionary<string, string>? templateParameters = null, bool allowDenials = false)
    {
        var err = new StringWriter();
        var inputs = events.Select((e, i) => new EventInput($"event[{i}]", e)).ToList();
        var (summary, outbound, parked) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = config ?? AlarmsOnly(),
            Inputs = inputs,
            Out = TextWriter.Null,
            Err = err,
            Explain = true,
            Prepare = prepare,
            Stack = templateParameters is null ? null : new LocalStackOptions { Config = config ?? AlarmsOnly(), Clock = TimeProvider.System, TemplateParameters = templateParameters },
        });
        // Every scenario is also a check of the template's grants: the local stack refuses what AWS would.
        Assert.True(allowDenials || summary.AccessDenials.Count == 0, string.Join('\n', summary.AccessDenials));
        return (summary, outbound, parked, err.ToString());
    }
}
