using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Tests.Configuration;

public class LabelMatcherTests
{
    [Theory]
    [InlineData("checkout", "checkout", true)]
    [InlineData("checkout", "checkout-api", false)]
    [InlineData("~^checkout-", "checkout-api-5xx", true)]
    [InlineData("~^checkout-", "billing-checkout-", false)]
    [InlineData("~checkout-", "checkout-api", false)]
    [InlineData("~checkout-.*", "checkout-api", true)]
    [InlineData("~orders|payments", "orders-archive", false)]
    [InlineData("~orders|payments", "payments", true)]
    [InlineData("~checkout-.*", "my-checkout-api", false)]
    [InlineData("~checkout-api$", "checkout-api-5xx", false)]
    [InlineData("~(checkout|billing)-.*$", "billing-export", true)]
    [InlineData("", "", true)]
    public void Matches_WhenPatternIsPlainOrRegex_ShouldMatchWholeValueUnlessPatternHasOwnAnchors(string pattern, string value, bool expected)
    {
        var matcher = new LabelMatcher("alarmName", pattern);

        Assert.Equal(expected, matcher.Matches(new Dictionary<string, string> { ["alarmName"] = value }));
    }

    [Fact]
    public void Matches_WhenLabelIsMissing_ShouldTreatItAsEmpty()
    {
        Assert.True(new LabelMatcher("team", string.Empty).Matches(new Dictionary<string, string>()));
        Assert.False(new LabelMatcher("team", "~.+").Matches(new Dictionary<string, string>()));
    }
}
