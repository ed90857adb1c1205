using System.Diagnostics;

namespace OpsCtl.Local;

/// <summary>
/// The deployed Native AOT package, built here as `sam build` builds it (make package-aot): the `bootstrap` binary and
/// ops-pipeline.yaml, as Lambda unpacks them to /var/task. Built once per process; OPS_BOOTSTRAP_DIR names a package
/// built already (e.g. .aws-sam/aot after the container build of docs/deploying.md).
/// </summary>
public static class AotPackage
{
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    /// <summary>The folder holding `bootstrap` and its config.</summary>
    public static Task<string> DirectoryAsync() => Built.Value;

    private static async Task<string> BuildAsync()
    {
        if (Environment.GetEnvironmentVariable("OPS_BOOTSTRAP_DIR") is { Length: > 0 } given)
        {
            return Path.GetFullPath(given);
        }

        var dir = Path.Combine(RepoPaths.Root, "functions", "OpsPipeline.Bootstrap", "bin", "package");
        var psi = new ProcessStartInfo("make", ["--no-print-directory", "package-aot", "ARTIFACTS_DIR=" + dir])
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var make = Process.Start(psi)!;
        var stdout = make.StandardOutput.ReadToEndAsync();
        var stderr = make.StandardError.ReadToEndAsync();
        await make.WaitForExitAsync().ConfigureAwait(false);
        if (make.ExitCode != 0)
        {
            throw new InvalidOperationException($"make package-aot failed ({make.ExitCode}):\n{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }

        return dir;
    }
}
