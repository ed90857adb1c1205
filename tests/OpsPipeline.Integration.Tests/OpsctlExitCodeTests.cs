using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>`opsctl local`'s exit codes (docs/opsctl.md) and the reasons it gives for input it cannot read.</summary>
[Trait("Category", "Integration")]
public sealed class OpsctlExitCodeTests : IDisposable
{
    private readonly StateDirectory _dir = new("exit");

    public void Dispose() => _dir.Dispose();

    private static string Alarm => Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json");

    [Theory]
    [InlineData("", "(root): empty file")]
    [InlineData("  \n", "(root): empty file")]
    [InlineData("{\n  \"detail-type\": \"CloudWatch Alarm State Change\",\n  oops\n}\n", "(root): not JSON: 'o' is an invalid start of a property name. Expected a '\"' at line 3, column 3")]
    [InlineData("ALARM checkout-api-5xx", "(root): not JSON: 'A' is an invalid start of a value at line 1, column 1")]
    public async Task Local_WhenAFileIsEmptyOrNotJson_ShouldRejectItSayingWhichAndExit3(string content, string reason)
    {
        var file = _dir.File("input.json");
        await File.WriteAllTextAsync(file, content);

        var (exit, _, err) = await Opsctl("local", "--out", _dir.File("out.jsonl"), file, Alarm);

        Assert.True(exit == 3, err);
        Assert.Contains($"rejected input.json: {reason}" + Environment.NewLine, err, StringComparison.Ordinal);
        Assert.Contains("rejected 1, failed 0", err, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"trigger\"", await File.ReadAllTextAsync(_dir.File("out.jsonl")), StringComparison.Ordinal); // the good alarm still pages
    }

    [Fact]
    public async Task Local_WhenEveryInputIsAccepted_ShouldExit0()
    {
        var (exit, _, err) = await Opsctl("local", "--out", _dir.File("out.jsonl"), Alarm);

        Assert.True(exit == 0, err);
    }
}
