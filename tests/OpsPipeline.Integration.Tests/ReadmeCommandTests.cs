using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// The README's command blocks marked "runs as written" (quick start, silences, budget, alerts, redrive, drill), run by bash
/// exactly as printed, in order, in a fresh clone (a folder whose files link to this one's, so `.local/state` is its
/// own) with `opsctl` on PATH as the README's install gives it. Two stand-ins, and only these: `opsctl` is this
/// build's opsctl.dll rather than a packed tool, and in the quick start `dotnet run --project tools/OpsCtl --` is that
/// same opsctl while `dotnet test ServerlessOpsPipeline.sln` is not run again (this test is part of it).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReadmeCommandTests : IDisposable
{
    private const string Marker = "<!-- README test: runs as written (ReadmeCommandTests) -->";

    private const string Prelude = """
        set -euo pipefail
        dotnet() {
          if [ "$#" -ge 4 ] && [ "$1 $2 $3 $4" = "run --project tools/OpsCtl --" ]; then shift 4; opsctl "$@"
          elif [ "$*" = "test ServerlessOpsPipeline.sln" ]; then echo "(not run again: this test is part of it)" >&2
          else command dotnet "$@"; fi
        }

        """;

    private readonly string _clone = Path.Combine(Path.GetTempPath(), $"opsctl-readme-{Guid.NewGuid():N}");

    public ReadmeCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(_clone, "bin"));
        File.Copy(Path.Combine(RepoPaths.Root, "ServerlessOpsPipeline.sln"), Path.Combine(_clone, "ServerlessOpsPipeline.sln"));
        foreach (var dir in new[] { "events", "functions", "statemachines", "tools" })
        {
            Directory.CreateSymbolicLink(Path.Combine(_clone, dir), Path.Combine(RepoPaths.Root, dir));
        }

        foreach (var file in new[] { "samconfig.toml", "template.yaml" })
        {
            File.CreateSymbolicLink(Path.Combine(_clone, file), Path.Combine(RepoPaths.Root, file));
        }

        var shim = Path.Combine(_clone, "bin", "opsctl");
        File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "opsctl.dll")}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose()
    {
        // The links go first, so deleting the clone never follows one into the repository.
        foreach (var link in Directory.EnumerateFileSystemEntries(_clone).Where(e => (new DirectoryInfo(e).LinkTarget ?? new FileInfo(e).LinkTarget) is not null))
        {
            if (Directory.Exists(link))
            {
                Directory.Delete(link);
            }
            else
            {
                File.Delete(link);
            }
        }

        Directory.Delete(_clone, recursive: true);
    }

    /// <summary>Each marked block: the README line its fence opens on, and its text.</summary>
    public static List<(int Line, string Script)> MarkedBlocks(string readme)
    {
        var lines = readme.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<(int, string)>();
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Trim() == Marker)
            {
                Assert.True(lines[i + 1] == "```sh", $"README line {i + 1}: the marker must be followed by a ```sh block");
                var end = Array.FindIndex(lines, i + 2, l => l == "```");
                blocks.Add((i + 2, string.Join("\n", lines[(i + 2)..end])));
            }
        }

        return blocks;
    }

    [Fact]
    public async Task ReadmeBlocks_WhenRunAsWrittenInAFreshClone_ShouldEachExitZeroAndPrintWhatTheReadmeSays()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "README.md"));
        var blocks = MarkedBlocks(readme);
        Assert.Equal(6, blocks.Count); // in README order: quick start, silences, budget, alerts, redrive, drill

        var results = new List<(int Exit, string Out, string Err)>();
        foreach (var (line, script) in blocks)
        {
            var result = await BashAsync(script);
            Assert.True(result.Exit == 0, $"README block at line {line} exited {result.Exit}:\n{script}\n--- stderr:\n{result.Err}");
            results.Add(result);
        }

        // Quick start: stdout is not a terminal here, so it is the JSON lines; the README says 18 of them.
        var (_, quickOut, quickErr) = results[0];
        var deliveries = quickOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(18, deliveries.Length);
        Assert.All(deliveries, d => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(d).RootElement.ValueKind));
        Assert.Contains("Command 1 prints 18 deliveries for the 17 events in `events/`", readme, StringComparison.Ordinal);
        Assert.Contains("opsctl local: 17 events (grouped 8, notify 8, recorded 1, rejected 0, failed 0); 18 deliveries", quickErr, StringComparison.Ordinal);

        // Silences: the one added is listed, extended by 2h, then expired, by the ID the query printed.
        var silences = results[1].Out.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var id = Regex.Match(silences[0], "^silence ([0-9a-f]{8}) added: \\{service=checkout, alarmName=~\\^checkout-api\\} until ", RegexOptions.None, TimeSpan.FromSeconds(1)).Groups[1].Value;
        Assert.NotEqual(string.Empty, id);
        Assert.StartsWith("ID ", silences[1], StringComparison.Ordinal);
        Assert.Matches($"^{id}  alarmName=~\\^checkout-api,service=checkout  .*  active  INC-42: failover in progress$", silences[2]);
        Assert.StartsWith($"silence {id} updated: ", silences[3], StringComparison.Ordinal);
        Assert.Equal($"silence {id} expired", silences[4]);
        Assert.Equal(5, silences.Length);

        // Budget: the checkout incident's cost, as the quick start's chat message says it.
        Assert.Contains("checkout-availability: 99.9% over 30d (alarms: checkout-api-5xx)", results[2].Out, StringComparison.Ordinal);
        Assert.Contains("  consumed   15.0 min (34.7%)\n  remaining  28.2 min (65.3%)\n", results[2].Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("opsctl budget: evaluated at 2026-03-10T09:46:00Z, the latest time this local state records", results[2].Err, StringComparison.Ordinal);

        // Alerts: checkout-api-5xx resolved at 09:31:40, its trigger and its resolve (handed to the SLO incident) explained.
        var alerts = results[3].Out.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ALERT             STATE  SINCE                 TOLD FIRING  MUTED BY  LAST DECISION", alerts[0]);
        Assert.StartsWith("checkout-api-5xx  OK     2026-03-10T09:31:40Z  -            -         notify: resolve to oncall (", alerts[1], StringComparison.Ordinal);
        Assert.Equal("checkout-api-5xx (123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx)", alerts[2]);
        Assert.Matches("^2026-03-10T09:16:40Z  ALARM at 2026-03-10T09:16:40Z \\(event [0-9a-f-]{36}\\)  notify    oncall  -         notify: trigger to oncall$", alerts[5]);
        Assert.Matches("^2026-03-10T09:31:40Z  OK at 2026-03-10T09:31:40Z \\(event [0-9a-f-]{36}\\)     notify    -       -         notify: resolve to oncall \\(", alerts[6]);
        Assert.Equal(7, alerts.Length);

        // Redrive: the 9 DLQ arrivals the budget block's run archived (its other 8 events are alarms), as the README's comment says.
        Assert.StartsWith("dlq redrive: read 9, sent 9 (dry run: nothing sent), failed 0; 8 other events skipped", results[4].Out, StringComparison.Ordinal);
        Assert.Contains("# read 9, sent 9 (dry run: nothing sent), …", blocks[4].Script, StringComparison.Ordinal);

        // Drill: every event replayed, and the report read back from the state.
        Assert.True(results[5].Out.ReplaceLineEndings("\n").StartsWith("drill game-day-1: 17 events replayed, 0 failed\n\nproduction would have sent:\n", StringComparison.Ordinal), results[5].Out);
        Assert.Contains("drill game-day-1: 17 events replayed, 0 failed", results[5].Err, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkedBlocks_WhenAMarkerIsNotFollowedByAShellBlock_ShouldFailNamingTheLine()
    {
        var readme = $"# x\n{Marker}\ntext\n";

        var e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => MarkedBlocks(readme));

        Assert.Contains("README line 2: the marker must be followed by a ```sh block", e.Message, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Out, string Err)> BashAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", Prelude + script])
        {
            WorkingDirectory = _clone,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.Environment["PATH"] = Path.Combine(_clone, "bin") + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
