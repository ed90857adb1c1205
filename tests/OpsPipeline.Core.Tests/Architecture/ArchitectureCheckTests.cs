namespace OpsPipeline.Core.Tests.Architecture;

/// <summary>The architecture checks can fail: each one run on a small input built to break it.</summary>
public class ArchitectureCheckTests
{
    private const string FixtureNamespace = "OpsPipeline.Core.Tests.Architecture.Fixture";

    private static NamespaceEdge Edge(string from, string to) => new(from, to, $"{from}.A uses {to}.B");

    [Fact]
    public void Find_WhenTwoNamespacesUseEachOther_ShouldPrintTheCycleWithTheCauseOfEachEdge()
    {
        var cycles = DependencyCycles.Find([Edge("Events", "Dlq"), Edge("Dlq", "Events"), Edge("Alerts", "Events"), Edge("Alerts", "Dlq")]);

        var cycle = Assert.Single(cycles);
        Assert.Equal("Dlq -> Events -> Dlq\n  Dlq -> Events: Dlq.A uses Events.B\n  Events -> Dlq: Events.A uses Dlq.B", cycle.ToString());
    }

    [Fact]
    public void Find_WhenThreeNamespacesFormARing_ShouldPrintTheWholeRing()
    {
        var cycles = DependencyCycles.Find([Edge("A", "B"), Edge("B", "C"), Edge("C", "A"), Edge("C", "D")]);

        Assert.Equal(["A", "B", "C", "A"], Assert.Single(cycles).Path);
    }

    [Fact]
    public void Find_WhenTwoCyclesShareANamespace_ShouldPrintEach()
    {
        var cycles = DependencyCycles.Find([Edge("A", "B"), Edge("B", "A"), Edge("B", "C"), Edge("C", "B")]);

        Assert.Equal(["A -> B -> A", "B -> C -> B"], cycles.Select(c => string.Join(" -> ", c.Path)));
    }

    [Fact]
    public void Find_WhenTheGraphIsLayered_ShouldFindNoCycle()
    {
        Assert.Empty(DependencyCycles.Find([Edge("Alerts", "Events"), Edge("Dlq", "Events"), Edge("Decisions", "Alerts"), Edge("Decisions", "Events")]));
    }

    [Theory]
    [InlineData("Body")]
    [InlineData("Lambda")]
    [InlineData("Signature")]
    [InlineData("TypeOf")]
    public void Read_WhenATypeIsUsedOnlyInOnePlace_ShouldStillSeeTheDependency(string user)
    {
        var edges = NamespaceDependencies.Read(typeof(ArchitectureCheckTests).Assembly.Location, FixtureNamespace);

        var edge = Assert.Single(edges, e => e.From == user && e.To == "Target");
        Assert.StartsWith($"{user}.User", edge.Cause, StringComparison.Ordinal);
        Assert.DoesNotContain(edges, e => e.From == "Target");
    }

    [Fact]
    public void FilesLongerThan_WhenAFileIsOverTheLimit_ShouldListItWithItsLength()
    {
        var folder = Directory.CreateTempSubdirectory("architecture-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "Events"));
            Directory.CreateDirectory(Path.Combine(folder, "obj"));
            File.WriteAllLines(Path.Combine(folder, "Events", "Long.cs"), Enumerable.Repeat("// x", 401));
            File.WriteAllLines(Path.Combine(folder, "Fits.cs"), Enumerable.Repeat("// x", 400));
            File.WriteAllLines(Path.Combine(folder, "obj", "Generated.cs"), Enumerable.Repeat("// x", 900));

            Assert.Equal([("Events/Long.cs", 401)], SourceSize.FilesLongerThan(folder, 400));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void LogicLines_WhenAClassHasCommentsBracesAttributesAndLiterals_ShouldCountOnlyItsCode()
    {
        const string source = """"
            using System.Text;
            namespace Sample;

            /// <summary>Not counted: outside the class.</summary>
            [Handler]
            public sealed class Handler(Runtime runtime)
            {
                // a comment
                /* a block
                   comment */
                [LambdaFunction]
                public async Task<Stream> HandleAsync(Stream input)
                {
                    var text = "{ not a brace } // not a comment";
                    var shown = $"{(input.Length > 0 ? "}" : "{")} {{ }}";
                    var c = '{';
                    var raw = """
                        {
                        """;
                    using var reader = new StreamReader(input);
                    return await runtime.RunAsync(reader, text + shown + c + raw).ConfigureAwait(false);
                }
            }

            public sealed record NotCounted(int A);
            """";

        // HandleAsync's signature, text, shown, c, raw (three lines: a literal's text is code), using var, return.
        Assert.Equal(9, SourceSize.LogicLines(source, "Handler"));
    }
}
