using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests.Aot;

/// <summary>The built AOT package runs where the template deploys it: Amazon Linux 2023's glibc, the template's architecture.</summary>
[Trait("Category", "Integration")]
[Trait("Build", "Aot")]
public partial class BootstrapBinaryTests
{
    /// <summary>The glibc of Amazon Linux 2023 (provided.al2023): a binary needing a newer symbol version fails to load there.</summary>
    private static readonly Version Al2023Glibc = new(2, 34);

    [Fact]
    public async Task Bootstrap_WhenBuilt_ShouldNeedNoGlibcSymbolVersionNewerThanAmazonLinux2023s()
    {
        var versions = await RequiredGlibcVersionsAsync(await BootstrapPackage.BootstrapAsync());

        // A dynamically linked .NET executable always needs some (e.g. GLIBC_2.2.5); none may be past 2.34.
        Assert.NotEmpty(versions);
        Assert.True(versions.Max() <= Al2023Glibc, $"needs GLIBC_{versions.Max()}; Amazon Linux 2023 has {Al2023Glibc}: {string.Join(", ", versions.Order())}");
    }

    [Theory]
    [InlineData("GLIBC_2.2.5 GLIBC_2.34 GLIBC_2.3", "2.34")]
    [InlineData("GLIBC_2.35 GLIBC_2.17 GLIBC_PRIVATE", "2.35")]
    public void RequiredGlibcVersions_WhenReadelfListsVersionNeeds_ShouldParseEveryNumberedGlibcVersion(string names, string max)
    {
        var readelf = string.Join('\n', names.Split(' ').Select((n, i) => $"  0x{i:x4}:   Name: {n}  Flags: none  Version: {i + 2}"));

        Assert.Equal(Version.Parse(max), ParseGlibcVersions(readelf).Max());
    }

    [Fact]
    public async Task Bootstrap_WhenBuilt_ShouldBeAnExecutableForTheArchitectureTheTemplateNames()
    {
        using var template = JsonDocument.Parse(await File.ReadAllTextAsync(RepoPaths.ExpandedTemplate));
        var architectures = template.RootElement.GetProperty("Resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("Type").GetString() == "AWS::Lambda::Function")
            .Select(r => r.Value.GetProperty("Properties").GetProperty("Architectures").EnumerateArray().Single().GetString())
            .Distinct()
            .ToList();
        var header = await RunAsync("readelf", "-h", "--wide", await BootstrapPackage.BootstrapAsync());

        var architecture = Assert.Single(architectures);
        var machine = HeaderField(header, "Machine");
        Assert.Equal(architecture switch { "x86_64" => "Advanced Micro Devices X86-64", "arm64" => "AArch64", _ => "unknown: " + architecture }, machine);
        Assert.Equal("ELF64", HeaderField(header, "Class"));
        Assert.Equal("UNIX - System V", HeaderField(header, "OS/ABI"));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Package_WhenBuilt_ShouldHoldOnlyTheBootstrapAndTheConfig()
    {
        var dir = await BootstrapPackage.DirectoryAsync();

        Assert.Equal(["bootstrap", "ops-pipeline.yaml"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.GetUnixFileMode(Path.Combine(dir, "bootstrap")).HasFlag(UnixFileMode.OtherExecute), "Lambda runs bootstrap as another user: it must be executable by all");
    }

    internal static async Task<List<Version>> RequiredGlibcVersionsAsync(string binary) =>
        ParseGlibcVersions(await RunAsync("readelf", "--version-info", "--wide", binary));

    /// <summary>The GLIBC_x.y[.z] names in readelf's .gnu.version_r (the versions the binary needs), GLIBC_PRIVATE aside.</summary>
    internal static List<Version> ParseGlibcVersions(string readelf) =>
        GlibcVersion().Matches(readelf).Select(m => Version.Parse(m.Groups[1].Value)).Distinct().ToList();

    [GeneratedRegex(@"Name: GLIBC_([0-9]+\.[0-9]+(?:\.[0-9]+)?)\b")]
    private static partial Regex GlibcVersion();

    private static string HeaderField(string header, string name) =>
        header.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();

    private static async Task<string> RunAsync(string tool, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)}: {stderr}");
        return await stdout;
    }
}
