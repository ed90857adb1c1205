using System.Diagnostics;
using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// What a user who mistypes gets from opsctl: one line naming the bad flag or value and the nearest valid one, exit 2
/// (docs/opsctl.md's table), and never a stack trace unless they ask for it with --debug.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OpsctlUsageErrorTests : IDisposable
{
    private readonly StateDirectory _dir = new("usage");

    public void Dispose() => _dir.Dispose();

    private static string Alarm => Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json");

    public static TheoryData<string[], string> UsageErrors() => new()
    {
        { ["local", "--explian"], "opsctl local: unknown option '--explian'; did you mean '--explain'?" },
        { ["local", "--explian", Alarm], "opsctl local: unknown option '--explian'; did you mean '--explain'?" },
        { ["local", "--clock", "walll"], "opsctl local: --clock: 'walll' is not one of event, wall; did you mean 'wall'?" },
        { ["silence", "list", "--stat", "x"], "opsctl silence list: unknown option '--stat'; did you mean '--state'?" },
        { ["silence", "lst"], "opsctl silence: unknown command 'lst'; did you mean 'list'?" },
        { ["silence"], "opsctl silence: missing command; one of: add, query, list, expire, update" },
        { ["silence", "add", "service=x", "--duration", "2hours", "--author", "a", "--comment", "c"], "opsctl silence add: --duration: '2hours' is not a duration like 30m, 2h or 1d; did you mean '2h'?" },
        { ["local", Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metrc.json")], $"opsctl local: no such file or folder: {Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metrc.json")}; did you mean '{Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json")}'?" },
        { ["local", "--out", "/no/such/folder/out.jsonl", Alarm], "opsctl local: --out /no/such/folder/out.jsonl: no such folder /no/such/folder" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task Opsctl_WhenTheCommandLineIsWrong_ShouldExit2WithOneLineNamingTheBadPartAndTheNearestValidOne(string[] args, string line)
    {
        var (exit, output, err) = await Opsctl(args);

        Assert.Equal((2, line + Environment.NewLine), (exit, err));
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task Opsctl_WhenAMistypedFlagFollowsDoubleDash_ShouldTakeItAsThePathItIsGivenAs()
    {
        var (exit, _, err) = await Opsctl("local", "--", "--explian");

        Assert.Equal((2, "opsctl local: no such file or folder: --explian" + Environment.NewLine), (exit, err));
    }

    [Theory]
    [InlineData("silence", "list")]
    [InlineData("local")]
    public async Task Opsctl_WhenTheStateDirectoryIsLocked_ShouldExit1WithOneLineAndNoStackTrace(params string[] command)
    {
        using var held = new FileStream(_dir.File("opsctl.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var (exit, _, err) = await Opsctl([.. command, "--state", _dir.Path, .. command[0] == "local" ? new[] { Alarm } : []]);

        Assert.Equal(1, exit);
        Assert.Equal($"opsctl: {string.Join(' ', command)}: --state {_dir.Path}: another opsctl is using this state directory (lock {_dir.File("opsctl.lock")}); wait for it to finish" + Environment.NewLine, err);
    }

    [Fact]
    public async Task Opsctl_WhenDebugIsGiven_ShouldPrintTheSameLineThenTheStackTrace()
    {
        using var held = new FileStream(_dir.File("opsctl.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var (exit, _, err) = await Opsctl("silence", "list", "--state", _dir.Path, "--debug");

        Assert.Equal(1, exit);
        var lines = err.Split(Environment.NewLine);
        Assert.StartsWith("opsctl: silence list: --state ", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("at OpsCtl.Local.LocalState.Lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Opsctl_WhenTableIsGivenWithoutAnAwsRegion_ShouldSayWhichSettingIsMissingInOneLine()
    {
        // Out of process, so the test controls the environment the AWS SDK reads its region from.
        var (exit, output, err) = await RunInstalledAsync(["silence", "list", "--table", "ops-alerts"]);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, output);
        Assert.Equal("opsctl: silence list: --table needs an AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region in ~/.aws/config)\n", err);
    }

    /// <summary>opsctl as its own process (the binary next to this test), with no AWS settings in its environment.</summary>
    private async Task<(int Exit, string Out, string Err)> RunInstalledAsync(string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "opsctl.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(name);
        }

        // No profile file and no instance metadata to fall back on: the region is missing, not slow to find.
        psi.Environment["AWS_CONFIG_FILE"] = _dir.File("no-config");
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = _dir.File("no-credentials");
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
