using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Tests.Rendering;

public class UntrustedTextTests
{
    /// <summary>
    /// Clean skips text its one vectorized search finds nothing in; that search must cover every character the
    /// rule removes or replaces, or such a character would pass through untouched. Checked for all 65,536.
    /// </summary>
    [Fact]
    public void Clean_ForEveryCharacter_ShouldRemoveReplaceOrKeepItByTheRule()
    {
        for (var i = 0; i <= char.MaxValue; i++)
        {
            var c = (char)i;
            var removed = (char.IsControl(c) && c is not '\n' and not '\t') || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069';
            var expected = removed ? "ab" : char.IsSurrogate(c) ? "a\uFFFDb" : $"a{c}b";

            Assert.True(expected == UntrustedText.Clean($"a{c}b"), $"U+{i:X4}");
        }
    }

    [Fact]
    public void Clean_WhenASurrogatePairIsWhole_ShouldKeepIt()
    {
        Assert.Equal("a\U0001F525b", UntrustedText.Clean("a\U0001F525b"));
        Assert.Equal("a\uFFFD\uFFFDb", UntrustedText.Clean("a\uDC00\uD800b"));
    }
}
