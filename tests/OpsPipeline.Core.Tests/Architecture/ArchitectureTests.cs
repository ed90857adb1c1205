using OpsPipeline.Core.Events;
using OpsPipeline.Core.Tests.Events;

namespace OpsPipeline.Core.Tests.Architecture;

/// <summary>
/// The shape issue 15 asks for, checked on every build: Core's namespaces form no cycle (a layer uses the ones below
/// it, never the reverse), no Core file grows past 400 lines, and a Lambda handler stays a thin shell over Core.
/// </summary>
public class ArchitectureTests
{
    private const string CoreNamespace = "OpsPipeline.Core";

    public const int MaxCoreFileLines = 400;

    public const int MaxHandlerLogicLines = 20;

    [Fact]
    public void CoreNamespaces_WhenCompiled_ShouldFormNoCycle()
    {
        var edges = NamespaceDependencies.Read(typeof(EventParser).Assembly.Location, CoreNamespace);

        var cycles = DependencyCycles.Find(edges);

        Assert.True(cycles.Count == 0, "namespace cycles in OpsPipeline.Core:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void CoreSourceFiles_WhenCounted_ShouldHaveAtMost400LinesEach()
    {
        var core = Path.Combine(SampleEvents.RepoRoot, "functions", "OpsPipeline.Core");

        var tooLong = SourceSize.FilesLongerThan(core, MaxCoreFileLines);

        Assert.True(tooLong.Count == 0, $"files in functions/OpsPipeline.Core over {MaxCoreFileLines} lines:\n" + string.Join("\n", tooLong.Select(f => $"  {f.File}: {f.Lines} lines")));
    }

    /// <summary>Lines of logic as <see cref="SourceSize.LogicLines"/> counts them: code inside the class, not comments, braces, directives or attributes.</summary>
    [Theory]
    [InlineData("DecideFunction")]
    [InlineData("TickFunction")]
    [InlineData("DeliverFunction")]
    [InlineData("DlqEnrichFunction")]
    public void Handler_WhenCounted_ShouldHaveAtMost20LinesOfLogic(string handler)
    {
        var file = Path.Combine(SampleEvents.RepoRoot, "functions", "OpsPipeline.Functions", handler + ".cs");

        var lines = SourceSize.LogicLines(File.ReadAllText(file), handler);

        Assert.True(lines <= MaxHandlerLogicLines, $"{handler} has {lines} lines of logic, more than {MaxHandlerLogicLines}: the rest belongs in a use case in Core");
    }

    /// <summary>docs/architecture.md has one line per folder: a folder added to Core without saying what it owns fails here.</summary>
    [Fact]
    public void ArchitectureDoc_WhenCoreFoldersAreListed_ShouldNameEveryOne()
    {
        var core = Path.Combine(SampleEvents.RepoRoot, "functions", "OpsPipeline.Core");
        var doc = File.ReadAllText(Path.Combine(SampleEvents.RepoRoot, "docs", "architecture.md"));
        var folders = Directory.GetDirectories(core, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(core, d).Replace('\\', '/'))
            .Where(d => d.Split('/') is var parts && !parts.Any(p => p is "bin" or "obj" or "Internal" or "Fixture") && (parts.Length == 1 || parts[0] is "Stages" or "Notifiers"))
            .Where(d => d != "Stages" && !d.StartsWith("Notifiers/", StringComparison.Ordinal))
            .ToList();

        var missing = folders.Where(f => !doc.Contains($"| `Core/{f}` |", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(folders);
        Assert.True(missing.Count == 0, "folders of functions/OpsPipeline.Core that docs/architecture.md does not name: " + string.Join(", ", missing));
    }
}
