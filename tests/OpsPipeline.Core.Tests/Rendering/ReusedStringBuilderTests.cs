using System.Text;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>The per-thread builder behind summaries and SNS text: never shared by two users, never kept huge.</summary>
public class ReusedStringBuilderTests
{
    [Fact]
    public void Take_WhenTheThreadsBuilderIsOut_ShouldHandOutAnotherOne()
    {
        var outer = ReusedStringBuilder.Take().Append("outer");
        var inner = ReusedStringBuilder.Take().Append("inner");

        Assert.NotSame(outer, inner);
        Assert.Equal(("outer", "inner"), (outer.ToString(), inner.ToString()));
        ReusedStringBuilder.Return(inner);
        ReusedStringBuilder.Return(outer);
    }

    [Fact]
    public void Take_AfterReturn_ShouldHandBackTheSameBuilderEmpty()
    {
        var first = ReusedStringBuilder.Take().Append("left over");
        ReusedStringBuilder.Return(first);

        var second = ReusedStringBuilder.Take();

        Assert.Same(first, second);
        Assert.Equal(0, second.Length);
        ReusedStringBuilder.Return(second);
    }

    [Fact]
    public void Return_WhenOneTextGrewTheBuilderLarge_ShouldNotKeepIt()
    {
        var large = ReusedStringBuilder.Take().Append('x', 100_000);
        ReusedStringBuilder.Return(large);

        var next = ReusedStringBuilder.Take();

        Assert.NotSame(large, next);
        Assert.True(next.Capacity <= 16 * 1024);
        ReusedStringBuilder.Return(next);
    }
}
