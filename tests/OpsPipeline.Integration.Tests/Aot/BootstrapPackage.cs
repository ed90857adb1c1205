using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests.Aot;

/// <summary>The deployed AOT package the Build=Aot tests run (built once, as `opsctl latency --build aot` builds it).</summary>
public static class BootstrapPackage
{
    /// <summary>The folder holding `bootstrap` and ops-pipeline.yaml, as Lambda unpacks it to /var/task.</summary>
    public static Task<string> DirectoryAsync() => AotPackage.DirectoryAsync();

    public static async Task<string> BootstrapAsync() => Path.Combine(await DirectoryAsync().ConfigureAwait(false), "bootstrap");
}
