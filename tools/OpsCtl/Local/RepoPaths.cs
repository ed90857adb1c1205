using System.Diagnostics;

namespace OpsCtl.Local;

/// <summary>Finds the repository (for the ASL file, the sample config, events/) and installs the local stack's npm packages.</summary>
public static class RepoPaths
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    // Found on first use, not when the type loads: commands that need no repository files (--help, --table) work anywhere.
    private static readonly Lazy<string> FoundRoot = new(FindRoot);

    /// <summary>The folder holding ServerlessOpsPipeline.sln, searched upward from the current directory, then from the binary.</summary>
    public static string Root => FoundRoot.Value;

    public static string Asl => Path.Combine(Root, "statemachines", "alert-pipeline.asl.json");

    /// <summary>template.yaml expanded by the SAM translator (tools/aws/expand-template.sh), which the local stack enforces.</summary>
    public static string ExpandedTemplate => Path.Combine(Root, "tools", "local", "template.expanded.json");

    /// <summary>The SAM CLI's defaults, whose parameter_overrides are the values the template is deployed with.</summary>
    public static string SamConfig => Path.Combine(Root, "samconfig.toml");

    public static string SampleConfig => Path.Combine(Root, "functions", "OpsPipeline.Functions", "ops-pipeline.yaml");

    public static string Events => Path.Combine(Root, "events");

    public static string LocalTools => Path.Combine(Root, "tools", "local");

    public static string Node => Path.Combine(LocalTools, "node_modules", ".bin", "node");

    /// <summary>Runs `npm ci` in tools/local the first time, so a fresh clone needs only the .NET SDK and Node.js.</summary>
    public static async Task EnsureLocalStackInstalledAsync(TextWriter log, CancellationToken ct)
    {
        await InstallGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var marker = Path.Combine(LocalTools, "node_modules", ".package-lock.json");
            if (File.Exists(Node) && File.Exists(marker))
            {
                return;
            }

            // A file lock, so parallel test processes on one clone do not run npm ci twice at once.
            var lockPath = Path.Combine(LocalTools, ".npm-ci.lock");
            using var fileLock = await AcquireFileLockAsync(lockPath, ct).ConfigureAwait(false);
            if (File.Exists(Node) && File.Exists(marker))
            {
                return;
            }

            await log.WriteLineAsync("opsctl: installing the local stack (npm ci in tools/local)…").ConfigureAwait(false);
            var psi = new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error")
            {
                WorkingDirectory = LocalTools,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var npm = Process.Start(psi) ?? throw new InvalidOperationException("could not start npm: is Node.js installed?");
            var stdout = npm.StandardOutput.ReadToEndAsync(ct);
            var stderr = npm.StandardError.ReadToEndAsync(ct);
            await npm.WaitForExitAsync(ct).ConfigureAwait(false);
            if (npm.ExitCode != 0 || !File.Exists(Node))
            {
                throw new InvalidOperationException($"npm ci in {LocalTools} failed (exit {npm.ExitCode}):\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken ct)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (i < 600)
            {
                await Task.Delay(500, ct).ConfigureAwait(false);
            }
        }
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ServerlessOpsPipeline.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        // An installed tool lives outside any clone, so the current directory is what finds the repository.
        throw new CommandFailedException(ExitCodes.Usage, $"not inside a ServerlessOpsPipeline clone (no ServerlessOpsPipeline.sln in {Directory.GetCurrentDirectory()} or above): cd into your clone, whose sample config, events/ and tools/local opsctl uses");
    }
}
