using System.Text.Json;
using YamlDotNet.RepresentationModel;
using static OpsPipeline.Deployment.Tests.SamTemplate;

namespace OpsPipeline.Deployment.Tests;

/// <summary>The sample events match the rules that must route them (and only those), by EventBridge's own rules.</summary>
public class EventPatternTests
{
    private static readonly SamTemplate Template = SamTemplate.Load(RepoFiles.Template);
    private static readonly Dictionary<string, string> Stack = new(StringComparer.Ordinal) { ["AWS::StackName"] = "serverless-ops-pipeline" };

    private static YamlMappingNode PatternOf(string rule) => Map(Template.Properties(rule), "EventPattern");

    private static JsonElement Event(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoFiles.Root, "events", file))).RootElement;

    public static TheoryData<string> CloudWatchSamples() =>
        [.. Directory.EnumerateFiles(Path.Combine(RepoFiles.Root, "events"), "cloudwatch-*.json").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(CloudWatchSamples))]
    public void CloudWatchSample_WhenOnTheDefaultBus_ShouldStartThePipelineAndBeArchived(string file)
    {
        Assert.True(EventPattern.Matches(PatternOf("AlarmPipelineRule"), Event(file), Stack), $"{file} does not start the pipeline");
        Assert.True(EventPattern.Matches(PatternOf("AlarmArchive"), Event(file), Stack), $"{file} is not archived for drills");
        Assert.False(EventPattern.Matches(PatternOf("DlqArrivalPipelineRule"), Event(file), Stack), $"{file} would start the pipeline twice");
    }

    [Fact]
    public void DlqArrivalSample_WhenOnTheOpsBus_ShouldStartThePipelineButNeverComeFromTheDefaultBusRule()
    {
        var arrival = Event("dlq-message-arrived.json");

        Assert.True(EventPattern.Matches(PatternOf("DlqArrivalPipelineRule"), arrival, Stack));
        Assert.False(EventPattern.Matches(PatternOf("AlarmPipelineRule"), arrival, Stack));
        Assert.False(EventPattern.Matches(PatternOf("AlarmArchive"), arrival, Stack));
    }

    [Fact]
    public void OwnAlarm_WhenThePipelinesOwnAlarmChanges_ShouldNeitherRunThroughThePipelineNorBeArchived()
    {
        var own = JsonDocument.Parse(Event("cloudwatch-alarm-single-metric.json").GetRawText()
            .Replace("\"checkout-api-5xx\"", "\"serverless-ops-pipeline-failed-deliveries\"", StringComparison.Ordinal)).RootElement;

        Assert.False(EventPattern.Matches(PatternOf("AlarmPipelineRule"), own, Stack));
        Assert.False(EventPattern.Matches(PatternOf("AlarmArchive"), own, Stack));
    }

    [Fact]
    public void AlarmArchive_WhenDrillsReplayIt_ShouldKeepExactlyWhatTheRuleMatches()
    {
        // A replay can start only what the rule matches: the archive keeps that and nothing more (no other
        // service's default-bus events, whose storage would be paid for and never replayed).
        Assert.Equal(PatternOf("AlarmPipelineRule").ToString(), PatternOf("AlarmArchive").ToString());
    }

    [Theory]
    [InlineData("""{"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", "detail": {"alarmName": "x"}}""", true)]
    [InlineData("""{"source": "aws.ec2", "detail-type": "CloudWatch Alarm State Change", "detail": {"alarmName": "x"}}""", false)]
    [InlineData("""{"source": "aws.cloudwatch", "detail-type": "EC2 Instance State-change Notification", "detail": {"alarmName": "x"}}""", false)]
    [InlineData("""{"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", "detail": {}}""", false)]
    [InlineData("""{"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", "detail": {"alarmName": "serverless-ops-pipeline-x"}}""", false)]
    public void AlarmPipelineRule_WhenEventsDiffer_ShouldMatchOnlyAlarmChangesOfOtherAlarms(string json, bool expected)
    {
        Assert.Equal(expected, EventPattern.Matches(PatternOf("AlarmPipelineRule"), JsonDocument.Parse(json).RootElement, Stack));
    }
}
