using System.Diagnostics;
using System.Text.Json.Nodes;

namespace OpsPipeline.Deployment.Tests;

/// <summary>The ASL file passes asl-validator (the validator aws-local-stepfunctions and the AWS toolkit use).</summary>
public sealed class AslValidatorTests : IDisposable
{
    /// <summary>Placeholder values shaped like what CloudFormation substitutes, so ARN and path checks run for real.</summary>
    internal static readonly IReadOnlyDictionary<string, string> PlaceholderValues = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DecideFunctionArn"] = "arn:aws:lambda:us-east-1:123456789012:function:serverless-ops-pipeline-DecideFunction-AbCdEf",
        ["DeliverFunctionArn"] = "arn:aws:lambda:us-east-1:123456789012:function:serverless-ops-pipeline-DeliverFunction-AbCdEf",
        ["ParkedEventQueueUrl"] = "https://sqs.us-east-1.amazonaws.com/123456789012/serverless-ops-pipeline-ParkedEventQueue-AbCdEf",
        ["TickFunctionArn"] = "arn:aws:lambda:us-east-1:123456789012:function:serverless-ops-pipeline-TickFunction-AbCdEf",
        ["FailedDeliveryQueueUrl"] = "https://sqs.us-east-1.amazonaws.com/123456789012/serverless-ops-pipeline-FailedDeliveryQueue-AbCdEf",
        ["TableName"] = "serverless-ops-pipeline-AlertTable-AbCdEf",
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("asl-validator-").FullName;

    [Fact]
    public async Task AslValidator_WhenDefinitionIsSubstituted_ShouldReportItValid()
    {
        var asl = AslDefinition.Load(RepoFiles.Asl);
        var file = Path.Combine(_dir, "alert-pipeline.json");
        await File.WriteAllTextAsync(file, asl.Substitute(PlaceholderValues));

        var (exitCode, output) = await RunValidatorAsync(file);

        Assert.True(exitCode == 0, $"asl-validator rejected {RepoFiles.Asl}:\n{output}");
        Assert.Contains("is valid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AslValidator_WhenATransitionNamesNoState_ShouldRejectTheDefinition()
    {
        // Proves the validator really checks this file's shape, so the test above can fail.
        var asl = JsonNode.Parse(AslDefinition.Load(RepoFiles.Asl).Substitute(PlaceholderValues))!;
        asl["States"]!["Decide alert"]!["Next"] = "No such state";
        var file = Path.Combine(_dir, "broken.json");
        await File.WriteAllTextAsync(file, asl.ToJsonString());

        var (exitCode, output) = await RunValidatorAsync(file);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("No such state", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int ExitCode, string Output)> RunValidatorAsync(string file)
    {
        var psi = new ProcessStartInfo(RepoFiles.Node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(RepoFiles.AslValidator);
        psi.ArgumentList.Add("--json-path");
        psi.ArgumentList.Add(file);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
