using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using OpsCtl.Local;

namespace OpsCtl;

/// <summary>
/// `opsctl coldstart`: the cold-start proxy. Publishes the probe (tools/ColdStart: DecideFunction built from the
/// environment, one event, against the local DynamoDB) JIT, ReadyToRun and Native AOT, starts each as a fresh process
/// several times and reports the time from Process.Start to the first handled event; then the package sizes.
/// </summary>
public static class ColdStartCommand
{
    public static Command Build()
    {
        var runs = new Option<int>("--runs") { Description = "Timed runs per variant (after one discarded run)", DefaultValueFactory = _ => 7 };
        var eventFile = new Option<FileInfo?>("--event") { Description = "The event to handle (default: events/cloudwatch-alarm-single-metric.json)" };
        var command = new Command("coldstart", "Time a fresh process to its first handled event, JIT vs ReadyToRun vs Native AOT, and the package sizes (benchmark; see docs/benchmarks.md).") { runs, eventFile };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var count = parse.GetValue(runs);
            if (count < 1)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("--runs: must be at least 1").ConfigureAwait(false);
                return 2;
            }

            var sample = parse.GetValue(eventFile)?.FullName ?? Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json");
            var work = Directory.CreateTempSubdirectory("opsctl-coldstart-").FullName;
            try
            {
                return await RunAsync(output, count, sample, work, ct).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(TextWriter output, int runs, string sample, string work, CancellationToken ct)
    {
        var rid = RuntimeInformation.RuntimeIdentifier;
        var variants = new List<(string Name, ProbeBuild Build, string Dir)>();
        var probe = Path.Combine(RepoPaths.Root, "tools", "ColdStart", "ColdStart.csproj");
        foreach (var (name, build) in Builds)
        {
            var dir = Path.Combine(work, "probe-" + build);
            await PublishAsync(probe, rid, build, dir, ct).ConfigureAwait(false);
            variants.Add((name, build, dir));
        }

        await using var state = await LocalState.OpenAsync(Path.Combine(work, "state"), ct).ConfigureAwait(false);
        var env = new Dictionary<string, string>
        {
            ["TABLE_NAME"] = LocalStack.TableName,
            ["AWS_ENDPOINT_URL_DYNAMODB"] = state.Endpoint,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["OpsEmailTopicArn"] = "arn:aws:sns:us-east-1:123456789012:ops-email",
        };

        var template = JsonNode.Parse(await File.ReadAllTextAsync(sample, ct).ConfigureAwait(false))!;
        var alarmName = (string?)template["detail"]?["alarmName"] ?? throw new InvalidOperationException($"{sample}: not a CloudWatch alarm event (detail.alarmName)");
        var results = variants.ToDictionary(v => v.Name, _ => new List<ProbeRun>());
        var floor = new List<double>();
        for (var i = 0; i <= runs; i++)
        {
            foreach (var (name, build, dir) in variants)
            {
                // A fresh event and a fresh alarm each time: every run decides a first trigger, not a duplicate or
                // a repeat of the run before.
                template["id"] = $"coldstart-{name}-{i}-{Guid.NewGuid():N}";
                var alarm = $"{alarmName}-{i}-{name.Replace(' ', '-')}";
                template["detail"]!["alarmName"] = alarm;
                template["resources"] = new JsonArray($"arn:aws:cloudwatch:{template["region"]}:{template["account"]}:alarm:{alarm}");
                var eventPath = Path.Combine(work, "event.json");
                await File.WriteAllTextAsync(eventPath, template.ToJsonString(), ct).ConfigureAwait(false);
                var run = await ProbeAsync(build, dir, env, eventPath, ct).ConfigureAwait(false);
                if (i > 0)
                {
                    results[name].Add(run); // run 0 warms the disk cache and is discarded
                }
            }

            // The floor: the same process started with no event (runtime start, Main, exit).
            var bare = await ProbeAsync(variants[0].Build, variants[0].Dir, env, eventPath: null, ct).ConfigureAwait(false);
            if (i > 0)
            {
                floor.Add(bare.ToFirstEventMs);
            }
        }

        // Every build must decide the same: a fast build that decides differently measured nothing.
        var outcomes = results.SelectMany(r => r.Value.Select(run => (r.Key, run.Outcome))).Distinct().ToList();
        if (outcomes.Select(o => o.Outcome).Distinct().Count() != 1)
        {
            throw new InvalidOperationException("the builds decided differently: " + string.Join("; ", outcomes.Select(o => $"{o.Key} {o.Outcome}")));
        }

        var packages = new List<(string Name, long Zip, long Unzipped)>();
        // The function assembly is what sam build packages; it has no Native AOT form (that is the probe's binary).
        foreach (var (name, build) in Builds.Where(b => b.Build != ProbeBuild.NativeAot))
        {
            var dir = Path.Combine(work, "package-" + build);
            await PublishAsync(Path.Combine(RepoPaths.Root, "functions", "OpsPipeline.Functions", "OpsPipeline.Functions.csproj"), "linux-arm64", build, dir, ct).ConfigureAwait(false);
            var zip = dir + ".zip";
            ZipFile.CreateFromDirectory(dir, zip, CompressionLevel.Optimal, includeBaseDirectory: false);
            packages.Add((name, new FileInfo(zip).Length, Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)));
        }

        var native = variants.Single(v => v.Build == ProbeBuild.NativeAot);
        var aot = new FileInfo(Path.Combine(native.Dir, "coldstart-probe"));
        packages.Add((native.Name, ZipOne(aot, Path.Combine(work, "aot.zip")), aot.Length));
        await output.WriteAsync(Report(Path.GetFileName(sample), runs, rid, results, floor, packages)).ConfigureAwait(false);
        await output.WriteLineAsync($"  every run of every build decided the same: {outcomes[0].Outcome}").ConfigureAwait(false);
        return 0;
    }

    /// <summary>One probe process: milliseconds from Process.Start to its "handled" line, and what it measured itself.</summary>
    public sealed record ProbeRun(double ToFirstEventMs, double InitMs, double HandlerMs, string Outcome = "", double JitMethods = double.NaN, double JitMs = double.NaN);

    public static string Report(string sample, int runs, string rid, IReadOnlyDictionary<string, List<ProbeRun>> results, IReadOnlyList<double> floor, IReadOnlyList<(string Name, long Zip, long Unzipped)> packages)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"cold start: DecideFunction from a fresh process to its first handled event ({sample}, local DynamoDB), {runs} runs each after one discarded, {rid}");
        text.AppendLine("                  to first event (ms)         of which: init (ms)   first event (ms)   JIT-compiled: methods   ms");
        text.AppendLine("                  median     min     max     median                median                           median  median");
        foreach (var (name, list) in results)
        {
            var first = list.Select(r => r.ToFirstEventMs).ToList();
            text.AppendLine(inv, $"  {name,-14}{Median(first),8:0.0}{first.Min(),8:0.0}{first.Max(),8:0.0}     {Median([.. list.Select(r => r.InitMs)]),8:0.0}              {Median([.. list.Select(r => r.HandlerMs)]),8:0.0}                    {Median([.. list.Select(r => r.JitMethods)]),8:0}{Median([.. list.Select(r => r.JitMs)]),8:0.0}");
        }

        text.AppendLine(inv, $"  floor (runtime start, no event): median {Median(floor):0.0} ms; init = DecideFunction's constructor (config, route tree, SDK clients); first event = its first Handle (DynamoDB round trips included); JIT-compiled = methods the process compiled at run time and the time it spent doing so (runtime counters)");
        text.AppendLine("deployment package (OpsPipeline.Functions published for linux-arm64, as sam build does; Native AOT: the probe's one binary for this machine)");
        foreach (var (name, zip, unzipped) in packages)
        {
            text.AppendLine(inv, $"  {name,-14}zip {zip / 1048576.0:0.0} MiB, unzipped {unzipped / 1048576.0:0.0} MiB");
        }

        text.AppendLine("  Native AOT runs only as a custom runtime (provided.al2023 with our own runtime loop); template.yaml deploys on the managed dotnet10 runtime");
        return text.ToString();
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static long ZipOne(FileInfo file, string zipPath)
    {
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            zip.CreateEntryFromFile(file.FullName, file.Name, CompressionLevel.Optimal);
        }

        return new FileInfo(zipPath).Length;
    }

    /// <summary>Every build the command compares, with the name it prints.</summary>
    private static readonly (string Name, ProbeBuild Build)[] Builds =
        [("JIT", ProbeBuild.Jit), ("ReadyToRun", ProbeBuild.ReadyToRun), ("Native AOT", ProbeBuild.NativeAot)];

    private enum ProbeBuild
    {
        Jit,
        ReadyToRun,
        NativeAot,
    }

    private static async Task<ProbeRun> ProbeAsync(ProbeBuild build, string dir, IReadOnlyDictionary<string, string> env, string? eventPath, CancellationToken ct)
    {
        // A Native AOT publish is one executable; the others are run by the dotnet host.
        var probe = Path.Combine(dir, "coldstart-probe");
        var psi = new ProcessStartInfo(build == ProbeBuild.NativeAot ? probe : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (build != ProbeBuild.NativeAot)
        {
            psi.ArgumentList.Add(probe + ".dll");
        }

        if (eventPath is not null)
        {
            psi.ArgumentList.Add(eventPath);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the probe");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        // The handler writes its EMF metric lines to stdout first, as it does in Lambda.
        string? line;
        do
        {
            line = await process.StandardOutput.ReadLineAsync(ct).ConfigureAwait(false);
        }
        while (line is not null && !line.StartsWith("handled ", StringComparison.Ordinal));

        var elapsed = clock.Elapsed.TotalMilliseconds;
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (eventPath is null)
        {
            return new ProbeRun(elapsed, double.NaN, double.NaN);
        }

        var parts = line?.Split(' ');
        if (process.ExitCode != 0 || parts is not { Length: >= 9 } || parts[0] != "handled")
        {
            throw new InvalidOperationException($"the probe failed (exit {process.ExitCode}): {line} {await stderr.ConfigureAwait(false)}");
        }

        double Number(int i) => double.Parse(parts[i], CultureInfo.InvariantCulture);
        return new ProbeRun(elapsed, Number(4), Number(2) - Number(4), parts[6], Number(7), Number(8));
    }

    private static async Task PublishAsync(string project, string rid, ProbeBuild build, string outputDir, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] mode = build == ProbeBuild.NativeAot
            ? ["-p:PublishAot=true"]
            : ["--self-contained", "false", $"-p:PublishReadyToRun={(build == ProbeBuild.ReadyToRun ? "true" : "false")}"];
        foreach (var arg in (string[])["publish", project, "-c", "Release", "-r", rid, .. mode, "-o", outputDir, "--nologo"])
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet publish");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {Path.GetFileName(project)} ({rid}, {build}) failed:\n{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }
    }
}
