using System.Text.Json.Nodes;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// template.yaml passes cfn-lint (with the SAM translator) without an error or a warning: whatever the linter
/// knows AWS refuses, the project refuses first. No rule is ignored.
/// </summary>
public sealed class CfnLintTests : IDisposable
{
    /// <summary>Two queues, so the DLQ Fn::ForEach expands to two Pipes and two roles, all of them linted.</summary>
    internal const string TwoWatchedQueues = "arn:aws:sqs:us-east-1:123456789012:orders-dlq,arn:aws:sqs:us-east-1:123456789012:payments-dlq";

    private readonly string _dir = Directory.CreateTempSubdirectory("cfn-lint-").FullName;

    [Fact]
    public void Template_WhenLintedWithItsDefaults_ShouldHaveNoErrorOrWarning()
    {
        AssertLintsClean(RepoFiles.Template);
    }

    [Fact]
    public void Template_WhenWatchingTwoQueues_ShouldLintTheExpandedPipesAndRolesClean()
    {
        var copy = CopyWithDlqArns(TwoWatchedQueues);

        AssertLintsClean(copy);
        // The lint above covered the expansion only if the ForEach did expand over the two queues.
        var resources = JsonNode.Parse(CfnPython.Expand(copy))!["Resources"]!.AsObject();
        Assert.Equal(2, resources.Count(r => r.Value!["Type"]!.GetValue<string>() == "AWS::Pipes::Pipe"));
        Assert.Equal(2, resources.Count(r => r.Key.StartsWith("DlqPipeRole", StringComparison.Ordinal)));
    }

    [Fact]
    public void Template_WhenAWatchedQueueIsNotAnArn_ShouldBeRefusedByTheLinter()
    {
        // Proves cfn-lint sees inside the ForEach expansion (the default "none" of old broke the deployment
        // with a malformed policy and Pipe source), so the two tests above can fail.
        var result = CfnPython.Lint(CopyWithDlqArns("none"));

        Assert.True((result.ExitCode & 2) != 0, $"cfn-lint accepted DlqArns=none (exit {result.ExitCode}):\n{result.Output}");
        Assert.Contains("E3510", result.Output, StringComparison.Ordinal);
        Assert.Contains("E3031", result.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// cfn-lint's exit code is a bit field: 2 errors, 4 warnings, 8 informational findings, 1 a failure of the
    /// linter itself. Anything but 0 or informational-only fails.
    /// </summary>
    private static void AssertLintsClean(string template)
    {
        var result = CfnPython.Lint(template);

        Assert.True(
            result.ExitCode is 0 or 8,
            $"cfn-lint {template} exited {result.ExitCode} (2 = errors, 4 = warnings, 1 = linter failure):\n{result.Output}");
    }

    private string CopyWithDlqArns(string value)
    {
        var copy = Path.Combine(_dir, $"template-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(copy, SamTemplate.WithParameterDefault(File.ReadAllText(RepoFiles.Template), "DlqArns", value));
        return copy;
    }
}
