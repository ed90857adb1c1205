using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Tests.Rendering;

public class SeveritiesTests
{
    private static readonly string?[] Labels = ["critical", "CRITICAL", "high", "error", "warning", "medium", "low", "info", " Info ", "sev1", "", null];

    public static TheoryData<string?[], string> WorstCases => new()
    {
        { ["warning", "critical", "info"], "critical" },
        { ["info", "warning", "high"], "error" },
        { ["error", "high"], "error" },
        { ["low", "medium"], "warning" },
        { ["info", "low"], "info" },
        { ["info", "sev1"], "warning" },
        { ["info", null], "warning" },
        { ["info", ""], "warning" },
        { ["sev1", "error"], "error" },
        { [" Critical ", "warning"], "critical" },
        { ["low"], "info" },
        { [], "info" },
    };

    [Theory]
    [MemberData(nameof(WorstCases))]
    public void Worst_WhenSeverities_ShouldBeTheWorstOnOurScale(string?[] severities, string expected)
    {
        Assert.Equal(expected, Severities.Worst(severities));
    }

    [Theory]
    [InlineData("critical", "critical", 3)]
    [InlineData("Critical", "critical", 3)]
    [InlineData("high", "error", 2)]
    [InlineData("error", "error", 2)]
    [InlineData("warning", "warning", 1)]
    [InlineData("medium", "warning", 1)]
    [InlineData("low", "info", 0)]
    [InlineData(" info ", "info", 0)]
    [InlineData("sev1", "warning", 1)]
    [InlineData("", "warning", 1)]
    [InlineData(null, "warning", 1)]
    public void Normalize_WhenLabel_ShouldMapOntoFourLevelsWithRank(string? label, string expected, int rank)
    {
        Assert.Equal(expected, Severities.Normalize(label));
        Assert.Equal(rank, Severities.Rank(label));
    }

    [Fact]
    public void Worst_WhenNull_ShouldThrow()
    {
        Assert.Throws<ArgumentNullException>(() => Severities.Worst(null!));
    }

    [Property]
    public Property Worst_WhenAnyLabels_ShouldBeOneOfThemAtLeastAsBadAsEachAndOrderFree()
    {
        var labels = Gen.Elements(Labels).ArrayOf().ToArbitrary();
        return Prop.ForAll(labels, severities =>
        {
            var worst = Severities.Worst(severities);
            return severities.All(s => Severities.Rank(worst) >= Severities.Rank(s))
                && (severities.Length == 0 ? worst == "info" : severities.Select(Severities.Normalize).Contains(worst))
                && worst == Severities.Worst(severities.Reverse());
        });
    }
}
