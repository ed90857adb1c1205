using System.Diagnostics;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests.Aot;

/// <summary>
/// The AOT package the tests run: built once per test run by the Makefile's package-aot target (what `sam build`
/// runs), or taken from OPS_BOOTSTRAP_DIR (e.g. .aws-sam/build/DecideFunction after a container build).
/// </summary>
public static class BootstrapPackage
{
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    /// <summary>The folder holding `bootstrap` and ops-pipeline.yaml, as Lambda unpacks it to /var/task.</summary>
    public static Task<string> DirectoryAsync() => Built.Value;

    public static async Task<string> BootstrapAsync() => Path.Combine(await DirectoryAsync().ConfigureAwait(false), "bootstrap");

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
