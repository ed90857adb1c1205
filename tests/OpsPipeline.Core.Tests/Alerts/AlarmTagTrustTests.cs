using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Tests.Events;

namespace OpsPipeline.Core.Tests.Alerts;

/// <summary>Label trust: alarm tags set only the labels the config's alarmTags allows.</summary>
public class AlarmTagTrustTests
{
    private static PipelineConfig Config(string alarmTags) => ConfigLoader.Load($$"""
        {{alarmTags}}
        receivers:
          - { name: team, slack: { webhookUrlParameter: /ops/slack/team } }
        route:
          receiver: team
        """, "t.yaml");

    private static Alert WithTags(PipelineConfig config) =>
        AlertNormalizer.Normalize(EventParser.Parse(SampleEvents.Bytes("cloudwatch-alarm-with-tags.json")), config);

    [Fact]
    public void Normalize_WhenNoAlarmTagsAreAllowed_ShouldMakeNoTagALabel()
    {
        var labels = WithTags(Config(string.Empty)).Labels;

        Assert.DoesNotContain("team", labels.Keys);
        Assert.DoesNotContain("service", labels.Keys);
        Assert.DoesNotContain("severity", labels.Keys);
    }

    [Fact]
    public void Normalize_WhenSomeTagsAreAllowed_ShouldMakeOnlyThoseLabels()
    {
        var alert = WithTags(Config("alarmTags: [team, runbook]"));

        Assert.Equal(("inventory", "https://runbooks.example.com/inventory/sync-errors"), (alert.Labels["team"], alert.Labels["runbook"]));
        Assert.DoesNotContain("service", alert.Labels.Keys);
        Assert.Equal("warning", alert.Severity); // the default: the tag's severity was not allowed
    }

    [Theory]
    [InlineData("alarmTags: [team, state]", "alarmTags[1]", "'state' is a built-in label; a tag never sets it")]
    [InlineData("alarmTags: [\"aws:cloudformation:stack-name\"]", "alarmTags[0]", "reserved aws: tag")]
    [InlineData("alarmTags: [team, team]", "alarmTags[1]", "'team' is listed twice")]
    [InlineData("alarmTags: team", "alarmTags", "must be a list")]
    public void Load_WhenAlarmTagsListsWhatATagCannotSet_ShouldReportTheEntry(string alarmTags, string field, string fragment)
    {
        var e = Assert.Throws<ConfigException>(() => Config(alarmTags));

        Assert.Contains(e.Errors, x => x.Field == field && x.Message.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void Normalize_WhenTheSampleConfigReadsTheTaggedSampleEvent_ShouldKeepItsTagLabels()
    {
        var config = ConfigLoader.Load(File.ReadAllText(Path.Combine(SampleEvents.RepoRoot, "functions", "OpsPipeline.Functions", "ops-pipeline.yaml")), "ops-pipeline.yaml", new Dictionary<string, string> { ["OpsEmailTopicArn"] = "arn:aws:sns:us-east-1:000000000000:ops-email" });

        var alert = WithTags(config);

        Assert.Equal(["runbook", "service", "severity", "team"], config.AlarmTags.Order(StringComparer.Ordinal));
        Assert.Equal(("inventory", "inventory", "warning"), (alert.Labels["team"], alert.Labels["service"], alert.Labels["severity"]));
    }
}
