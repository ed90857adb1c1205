using System.Buffers;
using System.Text;

namespace OpsPipeline.Core.Tests;

/// <summary>The per-thread builder and byte buffer behind summaries, SNS text and alert CloudEvents: never shared by two users, never kept huge.</summary>
public class ReusedBuffersTests
{
    /// <summary>One kind of reused buffer, seen through what every kind has: take, write, read, return.</summary>
    public sealed record Kind(string Name, Func<object> Take, Action<object, string> Write, Func<object, string> Read, Action<object> Return, Func<object, int> Capacity, int MaxKept)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Kind> Kinds() =>
    [
        new Kind(
            "text",
            ReusedBuffers.TakeText,
            (b, s) => ((StringBuilder)b).Append(s),
            b => b.ToString()!,
            b => ReusedBuffers.Return((StringBuilder)b),
            b => ((StringBuilder)b).Capacity,
            ReusedBuffers.MaxKeptTextCapacity),
        new Kind(
            "bytes",
            ReusedBuffers.TakeBytes,
            (b, s) => ((ArrayBufferWriter<byte>)b).Write(Encoding.UTF8.GetBytes(s)),
            b => Encoding.UTF8.GetString(((ArrayBufferWriter<byte>)b).WrittenSpan),
            b => ReusedBuffers.Return((ArrayBufferWriter<byte>)b),
            b => ((ArrayBufferWriter<byte>)b).Capacity,
            ReusedBuffers.MaxKeptByteCapacity),
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Take_WhenTheThreadsBufferIsOut_ShouldHandOutAnotherOne(Kind kind)
    {
        var outer = kind.Take();
        kind.Write(outer, "outer");
        var inner = kind.Take();
        kind.Write(inner, "inner");

        Assert.NotSame(outer, inner);
        Assert.Equal(("outer", "inner"), (kind.Read(outer), kind.Read(inner)));
        kind.Return(inner);
        kind.Return(outer);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Take_AfterReturn_ShouldHandBackTheSameBufferEmpty(Kind kind)
    {
        var first = kind.Take();
        kind.Write(first, "left over");
        kind.Return(first);

        var second = kind.Take();

        Assert.Same(first, second);
        Assert.Equal(string.Empty, kind.Read(second));
        kind.Return(second);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Return_WhenOneTextGrewTheBufferLarge_ShouldNotKeepIt(Kind kind)
    {
        var large = kind.Take();
        kind.Write(large, new string('x', kind.MaxKept * 2));
        kind.Return(large);

        var next = kind.Take();

        Assert.NotSame(large, next);
        Assert.True(kind.Capacity(next) <= kind.MaxKept);
        kind.Return(next);
    }

    [Fact]
    public void PayloadJson_WhenWritingInsideAnotherPayload_ShouldKeepBothWholeAndReuseTheThreadsBuffer()
    {
        var outer = Core.Rendering.PayloadJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("inner", System.Text.Encoding.UTF8.GetString(Core.Rendering.PayloadJson.String("nested")));
            w.WriteEndObject();
        });
        var taken = ReusedBuffers.TakeBytes();
        ReusedBuffers.Return(taken);
        var again = Core.Rendering.PayloadJson.String("x");

        Assert.Equal("{\"inner\":\"\\\"nested\\\"\"}", System.Text.Encoding.UTF8.GetString(outer));
        Assert.Equal("\"x\"", System.Text.Encoding.UTF8.GetString(again));
        Assert.Same(taken, ReusedBuffers.TakeBytes());
    }
}
