using FsCheck;
using FsCheck.Xunit;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Tests.Rendering;

public class DedupKeysTests
{
    [Theory]
    [InlineData("123456789012/us-east-1/arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx")]
    [InlineData("a")]
    public void For_WhenKeyIsShort_ShouldBeTheKeyItself(string key)
    {
        Assert.Equal(key, DedupKeys.For(key));
    }

    [Fact]
    public void For_WhenKeyIsExactly255_ShouldBeTheKeyItself()
    {
        var key = new string('k', 255);

        Assert.Equal(key, DedupKeys.For(key));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void For_WhenKeyIsLong_ShouldBeReadablePrefixHashAndAtMost255(int length)
    {
        var key = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26))));

        var dedup = DedupKeys.For(key);

        Assert.Equal(255, dedup.Length);
        Assert.StartsWith(key[..190] + "#", dedup, StringComparison.Ordinal);
        Assert.Matches("#[0-9a-f]{64}$", dedup);
        Assert.Equal(dedup, DedupKeys.For(new string(key.AsSpan())));
    }

    [Fact]
    public void For_WhenKeyIs1000Chars_ShouldBeStableKnownValue()
    {
        var key = new string('x', 1_000);

        // SHA-256 of 1,000 'x' bytes: pinned so a change of hash or encoding (which would orphan open incidents) fails.
        Assert.Equal(new string('x', 190) + "#" + "44f8354494a5ba03ba1792a8d3e9c534c47a9181980fde7a3f44b06ef2ae7c7f", DedupKeys.For(key));
    }

    [Fact]
    public void For_WhenLongKeysShareTheirPrefix_ShouldDiffer()
    {
        var common = new string('p', 300);

        Assert.NotEqual(DedupKeys.For(common + "/queue-a"), DedupKeys.For(common + "/queue-b"));
    }

    [Fact]
    public void For_WhenPrefixWouldSplitAnEmoji_ShouldKeepValidText()
    {
        var key = new string('a', 189) + "🔥" + new string('b', 100);

        var dedup = DedupKeys.For(key);

        Assert.StartsWith(new string('a', 189) + "#", dedup, StringComparison.Ordinal);
        Assert.Equal(254, dedup.Length);
    }

    [Fact]
    public void For_WhenKeyIsEmpty_ShouldThrow()
    {
        Assert.Throws<ArgumentException>(() => DedupKeys.For(string.Empty));
    }

    [Property]
    public bool For_WhenAnyKey_ShouldFitPagerDutyAndBeDeterministic(NonEmptyString key)
    {
        var dedup = DedupKeys.For(key.Get);
        return dedup.Length <= 255 && dedup == DedupKeys.For(key.Get) && (key.Get.Length > 255 || dedup == key.Get);
    }
}
