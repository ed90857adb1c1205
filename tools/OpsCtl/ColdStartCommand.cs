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
        var bootstrapOnly = new Option<bool>("--bootstrap-only") { Description = "Only the deployed AOT package (make package-aot) behind a local Runtime API, each function: skips the JIT/ReadyToRun/AOT probes" };
        var command = new Command("coldstart", "Time a fresh process to its first handled event, JIT vs ReadyToRun vs Native AOT, then the deployed AOT bootstrap per function with its memory, and the package sizes (benchmark; see docs/benchmarks.md).") { runs, eventFile, bootstrapOnly };
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
                return await RunAsync(output, count, sample, work, parse.GetValue(bootstrapOnly), ct).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(TextWriter output, int runs, string sample, string work, bool bootstrapOnly, CancellationToken ct)
    {
        var rid = RuntimeInformation.RuntimeIdentifier;
        var variants = new List<(string Name, ProbeBuild Build, string Dir)>();
        var probe = Path.Combine(RepoPaths.Root, "tools", "ColdStart", "ColdStart.csproj");
        foreach (var (name, build) in bootstrapOnly ? [] : Builds)
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
        if (bootstrapOnly)
        {
            return await BootstrapSectionAsync(output, runs, env, template, alarmName, work, expectedOutcome: null, ct).ConfigureAwait(false);
        }

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
            await PublishAsync(Path.Combine(RepoPaths.Root, "functions", "OpsPipeline.Functions", "OpsPipeline.Functions.csproj"), "linux-x64", build, dir, ct).ConfigureAwait(false);
            var zip = dir + ".zip";
            ZipFile.CreateFromDirectory(dir, zip, CompressionLevel.Optimal, includeBaseDirectory: false);
            packages.Add((name, new FileInfo(zip).Length, Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)));
        }

        var native = variants.Single(v => v.Build == ProbeBuild.NativeAot);
        var aot = new FileInfo(Path.Combine(native.Dir, "coldstart-probe"));
        packages.Add((native.Name, ZipOne(aot, Path.Combine(work, "aot.zip")), aot.Length));
        await output.WriteAsync(Report(Path.GetFileName(sample), runs, rid, results, floor, packages)).ConfigureAwait(false);
        await output.WriteLineAsync($"  every run of every build decided the same: {outcomes[0].Outcome}").ConfigureAwait(false);

        return await BootstrapSectionAsync(output, runs, env, template, alarmName, work, outcomes[0].Outcome, ct).ConfigureAwait(false);
    }

    /// <summary>The deployed artifact itself: the Makefile's AOT package, each function behind a local Runtime API.</summary>
    private static async Task<int> BootstrapSectionAsync(TextWriter output, int runs, IReadOnlyDictionary<string, string> env, JsonNode template, string alarmName, string work, string? expectedOutcome, CancellationToken ct)
    {
        var package = Path.Combine(work, "package-aot");
        await MakePackageAsync(package, ct).ConfigureAwait(false);
        var bootstrapRuns = await BootstrapRunsAsync(package, runs, env, template, alarmName, ct).ConfigureAwait(false);
        var packageZip = Path.Combine(work, "package-aot.zip");
        ZipFile.CreateFromDirectory(package, packageZip, CompressionLevel.Optimal, includeBaseDirectory: false);
        var decided = bootstrapRuns["Decide"].Select(r => r.Outcome).Distinct().ToList();
        if (decided.Count != 1 || (expectedOutcome is not null && decided[0] != expectedOutcome))
        {
            throw new InvalidOperationException($"the AOT bootstrap decided {string.Join(", ", decided)}, the probes {expectedOutcome}");
        }

        await output.WriteAsync(BootstrapReport(runs, bootstrapRuns, new FileInfo(packageZip).Length, Directory.EnumerateFiles(package).Sum(f => new FileInfo(f).Length))).ConfigureAwait(false);
        await output.WriteLineAsync($"  every Decide run decided: {decided[0]}").ConfigureAwait(false);
        return 0;
    }

    /// <summary>One bootstrap process: ms from Process.Start to its first result (or to its first next, for init only), its Init, its peak RSS.</summary>
    public sealed record BootstrapRun(double ToFirstResultMs, double InitMs, long PeakResidentBytes, string Outcome = "", double CpuMs = double.NaN);

    public static string BootstrapReport(int runs, IReadOnlyDictionary<string, List<BootstrapRun>> results, long zip, long unzipped)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"Native AOT bootstrap: the deployed package (make package-aot, linux-x64, provided.al2023's bootstrap) behind a local Runtime API, {runs} runs each after one discarded");
        text.AppendLine("                  to first result (ms)        Init (ms)   peak memory (MiB)   CPU time (ms)");
        text.AppendLine("                  median     min     max     median      max                 median");
        foreach (var (name, list) in results)
        {
            var first = list.Select(r => r.ToFirstResultMs).ToList();
            text.AppendLine(inv, $"  {name,-14}{Median(first),8:0.0}{first.Min(),8:0.0}{first.Max(),8:0.0}   {Median([.. list.Select(r => r.InitMs)]),8:0.0}    {list.Max(r => r.PeakResidentBytes) / 1048576.0,8:0.0}            {Median([.. list.Select(r => r.CpuMs)]),8:0}");
        }

        text.AppendLine("  to first result = Process.Start to the response posted to the Runtime API (Deliver: to its first invocation/next, init only: a send needs SSM and a receiver); Init = to the first invocation/next; peak memory = the process's VmHWM, what Lambda reports as Max Memory Used; CPU time = the process's user + system time to then (/proc/PID/stat, 10 ms ticks): Lambda gives a function CPU in proportion to its memory (1 vCPU at 1,769 MB)");
        text.AppendLine(inv, $"  package: zip {zip / 1048576.0:0.0} MiB, unzipped {unzipped / 1048576.0:0.0} MiB (bootstrap + ops-pipeline.yaml)");
        return text.ToString();
    }

    private static async Task<Dictionary<string, List<BootstrapRun>>> BootstrapRunsAsync(string package, int runs, IReadOnlyDictionary<string, string> env, JsonNode template, string alarmName, CancellationToken ct)
    {
        var functionEnv = new Dictionary<string, string>(env) { ["OPS_CONFIG_FILE"] = "ops-pipeline.yaml", ["SECRETS_PREFIX"] = "/ops/", ["ARCHIVE_RETENTION_DAYS"] = "30" };
        functionEnv.Remove("AWS_REGION"); // Lambda's own, set by the local Runtime API
        var dlqRecords = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Events, "sqs-lambda-async-dlq.json"), ct).ConfigureAwait(false);
        var functions = new (string Name, string Handler, Func<int, byte[]>? Payload)[]
        {
            ("Decide", "DecideFunction", i =>
            {
                var alarm = $"{alarmName}-{i}-aot-bootstrap";
                template["id"] = $"coldstart-bootstrap-{i}-{Guid.NewGuid():N}";
                template["detail"]!["alarmName"] = alarm;
                template["resources"] = new JsonArray($"arn:aws:cloudwatch:{template["region"]}:{template["account"]}:alarm:{alarm}");
                return Encoding.UTF8.GetBytes(template.ToJsonString());
            }),
            ("Tick", "TickFunction", _ => "{}"u8.ToArray()),
            ("DlqEnrich", "DlqEnrichFunction", _ => dlqRecords),
            ("Deliver", "DeliverFunction", null),
        };
        var results = functions.ToDictionary(f => f.Name, _ => new List<BootstrapRun>());
        for (var i = 0; i <= runs; i++)
        {
            foreach (var (name, type, payload) in functions)
            {
                await using var api = await LocalRuntimeApi.StartAsync(Path.Combine(package, "bootstrap"), $"OpsPipeline.Functions::OpsPipeline.Functions.{type}::Handle", "ops-" + name.ToLowerInvariant(), functionEnv, ct: ct).ConfigureAwait(false);
                string outcome;
                double toResult;
                if (payload is null)
                {
                    var init = await api.Init.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
                    toResult = api.SinceStart.TotalMilliseconds;
                    outcome = init is null ? "ready" : throw new InvalidOperationException($"{name}: init failed: {init.BodyText}\n{api.Log}");
                }
                else
                {
                    var result = await api.InvokeAsync(payload(i), TimeSpan.FromSeconds(10), ct: ct).ConfigureAwait(false);
                    toResult = api.SinceStart.TotalMilliseconds;
                    if (result.IsError)
                    {
                        throw new InvalidOperationException($"{name}: {result.FunctionError}: {result.PayloadText}\n{api.Log}");
                    }

                    outcome = name == "Decide" ? DecideOutcome(result.Payload) : "ok";
                }

                if (i > 0)
                {
                    results[name].Add(new BootstrapRun(toResult, api.InitDuration?.TotalMilliseconds ?? double.NaN, api.PeakResidentBytes(), outcome, api.CpuTime().TotalMilliseconds));
                }
            }
        }

        return results;
    }

    /// <summary>"decision:receiver/channel,...", the probe's outcome format.</summary>
    private static string DecideOutcome(byte[] payload)
    {
        var result = System.Text.Json.JsonSerializer.Deserialize(payload, OpsPipeline.Functions.FunctionsJsonContext.Default.DecideResult)!;
        return $"{result.Decision}:{string.Join(',', result.Deliveries.Select(d => d.Receiver + "/" + d.Channel))}";
    }

    private static async Task MakePackageAsync(string dir, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("make", ["--no-print-directory", "package-aot", "ARTIFACTS_DIR=" + dir]) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var make = Process.Start(psi) ?? throw new InvalidOperationException("could not start make");
        var stdout = make.StandardOutput.ReadToEndAsync(ct);
        var stderr = make.StandardError.ReadToEndAsync(ct);
        await make.WaitForExitAsync(ct).ConfigureAwait(false);
        if (make.ExitCode != 0)
        {
            throw new InvalidOperationException($"make package-aot failed:\n{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }
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
        text.AppendLine("deployment package (OpsPipeline.Functions published for linux-x64, as FUNCTION_BUILD=managed sam build does; Native AOT: the probe's one binary for this machine)");
        foreach (var (name, zip, unzipped) in packages)
        {
            text.AppendLine(inv, $"  {name,-14}zip {zip / 1048576.0:0.0} MiB, unzipped {unzipped / 1048576.0:0.0} MiB");
        }

        text.AppendLine("  Native AOT runs as a custom runtime (provided.al2023 with our own runtime loop, functions/OpsPipeline.Bootstrap): template.yaml's default FunctionBuild=aot");
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
