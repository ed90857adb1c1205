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
    public void CloudWatchSample_WhenOnTheDefaultBus_ShouldBeForwardedAndThenStartThePipeline(string file)
    {
        Assert.True(EventPattern.Matches(PatternOf("CloudWatchAlarmForwardRule"), Event(file), Stack), $"{file} is not forwarded");
        Assert.True(EventPattern.Matches(PatternOf("AlertPipelineRule"), Event(file), Stack), $"{file} does not start the pipeline");
    }

    [Fact]
    public void DlqArrivalSample_WhenOnTheOpsBus_ShouldStartThePipelineButNeverComeFromTheDefaultBusRule()
    {
        var arrival = Event("dlq-message-arrived.json");

        Assert.True(EventPattern.Matches(PatternOf("AlertPipelineRule"), arrival, Stack));
        Assert.False(EventPattern.Matches(PatternOf("CloudWatchAlarmForwardRule"), arrival, Stack));
    }

    [Fact]
    public void OwnAlarm_WhenThePipelinesOwnAlarmChanges_ShouldNotBeForwardedThroughThePipeline()
    {
        var own = Event("cloudwatch-alarm-single-metric.json").GetRawText()
            .Replace("\"checkout-api-5xx\"", "\"serverless-ops-pipeline-failed-deliveries\"", StringComparison.Ordinal);

        Assert.False(EventPattern.Matches(PatternOf("CloudWatchAlarmForwardRule"), JsonDocument.Parse(own).RootElement, Stack));
    }

    [Theory]
    [InlineData("""{"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", "detail": {"alarmName": "x"}}""", true)]
    [InlineData("""{"source": "aws.ec2", "detail-type": "CloudWatch Alarm State Change", "detail": {"alarmName": "x"}}""", false)]
    [InlineData("""{"source": "aws.cloudwatch", "detail-type": "EC2 Instance State-change Notification", "detail": {"alarmName": "x"}}""", false)]
    [InlineData("""{"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", "detail": {}}""", false)]
    [InlineData("""{"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", "detail": {"alarmName": "serverless-ops-pipeline-x"}}""", false)]
    public void ForwardRule_WhenEventsDiffer_ShouldMatchOnlyAlarmChangesOfOtherAlarms(string json, bool expected)
    {
        Assert.Equal(expected, EventPattern.Matches(PatternOf("CloudWatchAlarmForwardRule"), JsonDocument.Parse(json).RootElement, Stack));
    }
}
