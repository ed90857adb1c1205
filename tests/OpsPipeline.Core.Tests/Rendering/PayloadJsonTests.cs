using System.Text.Json;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>The reused per-thread buffer behind every payload: each payload comes out whole and alone.</summary>
public class PayloadJsonTests
{
    [Fact]
    public void Write_WhenCalledAgain_ShouldNotCarryAnythingFromTheLastPayload()
    {
        var first = PayloadJson.Write(w => w.WriteStringValue(new string('a', 5000)));
        var second = PayloadJson.Write(w => w.WriteStringValue("b"));

        Assert.Equal(5002, first.Bytes);
        Assert.Equal(new string('a', 5000), first.Element.GetString());
        Assert.Equal(("\"b\"", 3), (second.Element.GetRawText(), second.Bytes));
    }

    [Fact]
    public void Write_WhenNestedInsideAnotherPayloadsWriter_ShouldKeepBothIntact()
    {
        JsonElement inner = default;
        var outer = PayloadJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("before", "x");
            inner = PayloadJson.Write(i => i.WriteStringValue("inner")).Element;
            w.WriteString("after", "y");
            w.WriteEndObject();
        });

        Assert.Equal("{\"before\":\"x\",\"after\":\"y\"}", outer.Element.GetRawText());
        Assert.Equal("inner", inner.GetString());
    }

    [Fact]
    public void Write_WhenAWriterThrows_ShouldLeaveTheNextPayloadClean()
    {
        Assert.Throws<InvalidOperationException>(() => PayloadJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("half", "written");
            throw new InvalidOperationException("renderer failed");
        }));

        Assert.Equal("[1]", PayloadJson.Write(w => { w.WriteStartArray(); w.WriteNumberValue(1); w.WriteEndArray(); }).Element.GetRawText());
    }
}
