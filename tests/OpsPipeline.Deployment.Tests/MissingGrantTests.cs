using System.Text.Json.Nodes;
using OpsCtl.Local;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// The fault this repository shipped with, shown end to end: a copy of template.yaml without the Tick's
/// dynamodb:BatchGetItem, expanded by the SAM translator, run by the strict local stack on the README's quick start.
/// </summary>
[Trait("Category", "Integration")]
public class MissingGrantTests
{
    private static async Task<(RunSummary Summary, IReadOnlyList<OutboundRecord> Outbound, string Err)> QuickStartAsync(JsonObject expanded)
    {
        var config = OpsCtl.Cli.LoadConfig(RepoPaths.SampleConfig) ?? throw new Xunit.Sdk.XunitException("the sample config does not load");
        var err = new StringWriter();
        var (summary, outbound, _) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = config,
            Inputs = EventInputs.Read([RepoPaths.Events]),
            Out = TextWriter.Null,
            Err = err,
            Stack = new LocalStackOptions { Config = config, Clock = TimeProvider.System, Template = expanded },
        });
        return (summary, outbound, err.ToString());
    }

    [Fact]
    public async Task QuickStart_WhenTheTickMayNotBatchGetItem_ShouldLoseItsDigestsToAccessDenied()
    {
        var yaml = File.ReadAllText(RepoFiles.Template);
        var tick = yaml.IndexOf("  TickFunction:\n", StringComparison.Ordinal);
        var line = yaml.IndexOf("                - dynamodb:BatchGetItem\n", tick, StringComparison.Ordinal);
        Assert.True(tick > 0 && line > tick && line < yaml.IndexOf("  DlqEnrichFunction:\n", StringComparison.Ordinal), "the Tick's policy lists dynamodb:BatchGetItem");
        var copy = Path.Combine(Path.GetTempPath(), $"template-no-batchget-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(copy, yaml.Remove(line, "                - dynamodb:BatchGetItem\n".Length));
        try
        {
            var broken = JsonNode.Parse(CfnPython.Expand(copy, "DlqArns=arn:aws:sqs:us-east-1:000000000000:watched-dlq"))!.AsObject();
            var whole = JsonNode.Parse(File.ReadAllText(RepoFiles.ExpandedTemplate))!.AsObject();

            var (good, goodOutbound, _) = await QuickStartAsync(whole);
            var (bad, badOutbound, err) = await QuickStartAsync(broken);

            Assert.Empty(good.AccessDenials);
            // Every tick with due work is refused, naming the role, the action and the table, as AWS refuses it ...
            Assert.NotEmpty(bad.AccessDenials);
            Assert.All(bad.AccessDenials, d => Assert.Equal(
                "AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/TickFunctionRole/ops-tick is not authorized to perform: dynamodb:BatchGetItem on resource: "
                + "arn:aws:dynamodb:us-east-1:000000000000:table/ops-pipeline because no identity-based policy allows the dynamodb:BatchGetItem action", d));
            Assert.Contains("failed tick at", err, StringComparison.Ordinal);
            // ... so what only the Tick sends never goes out: the grouped alerts' notices after their group wait, and the
            // SLO's burn-rate pages and the resolve of its incident. What Decide sends at once (the critical alarm's page,
            // which opens that incident) still does.
            Assert.Equal(4, goodOutbound.Count(o => o.Receiver == "team" && o.Action is "trigger" or "digest"));
            Assert.DoesNotContain(badOutbound, o => o.Receiver == "team" && o.Action is "trigger" or "digest");
            Assert.Contains(goodOutbound, o => o.Action == "budget");
            Assert.DoesNotContain(badOutbound, o => o.Action == "budget");
            Assert.Equal(["trigger"], badOutbound.Where(o => o.Receiver == "oncall").Select(o => o.Action));
            Assert.True(badOutbound.Count < goodOutbound.Count, $"{badOutbound.Count} deliveries without the grant, {goodOutbound.Count} with it");
        }
        finally
        {
            File.Delete(copy);
        }
    }
}
