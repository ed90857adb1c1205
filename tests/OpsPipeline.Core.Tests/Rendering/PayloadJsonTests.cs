using System.Text;
using System.Text.Json;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>The reused per-thread buffer behind every payload: each payload comes out whole and alone.</summary>
public class PayloadJsonTests
{
    [Fact]
    public void Write_WhenCalledAgain_ShouldNotCarryAnythingFromTheLastPayload()
    {
        var first = PayloadJson.Write(w => w.WriteStringValue(new string('a', 5000)));
        var second = PayloadJson.Write(w => w.WriteStringValue("b"));

        Assert.Equal(5002, first.Length);
        Assert.Equal('"' + new string('a', 5000) + '"', Encoding.UTF8.GetString(first));
        Assert.Equal("\"b\"", Encoding.UTF8.GetString(second));
    }

    [Fact]
    public void Write_WhenNestedInsideAnotherPayloadsWriter_ShouldKeepBothIntact()
    {
        byte[] inner = [];
        var outer = PayloadJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("before", "x");
            inner = PayloadJson.Write(i => i.WriteStringValue("inner"));
            w.WriteString("after", "y");
            w.WriteEndObject();
        });

        Assert.Equal("{\"before\":\"x\",\"after\":\"y\"}", Encoding.UTF8.GetString(outer));
        Assert.Equal("\"inner\"", Encoding.UTF8.GetString(inner));
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

        Assert.Equal("[1]", Encoding.UTF8.GetString(PayloadJson.Write(w => { w.WriteStartArray(); w.WriteNumberValue(1); w.WriteEndArray(); })));
    }

    /// <summary>The body travels as the bytes the renderer wrote: serialized as the same JSON value, read back whole, parsed on demand.</summary>
    [Fact]
    public void Delivery_WhenSerializedAndReadBack_ShouldCarryTheBodyUnchanged()
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing(), DeliveryActions.Trigger, SampleAlerts.OnCall, drill: false);
        var body = Encoding.UTF8.GetString(delivery.PayloadUtf8.Span);

        var json = JsonSerializer.Serialize(delivery, CoreJsonSerializerOptions());
        var back = JsonSerializer.Deserialize<Delivery>(json, CoreJsonSerializerOptions())!;

        Assert.Contains("\"payload\":" + body + "}", json, StringComparison.Ordinal);
        Assert.Equal(body, Encoding.UTF8.GetString(back.PayloadUtf8.Span));
        Assert.Equal(delivery.Payload.GetProperty("dedup_key").GetString(), back.Payload.GetProperty("dedup_key").GetString());
        Assert.Equal(JsonValueKind.Object, delivery.Payload.ValueKind);
    }

    [Fact]
    public void Delivery_WhenGivenAnElement_ShouldSerializeItsText()
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing(), DeliveryActions.Trigger, SampleAlerts.OnCall, drill: false)
            with { Payload = JsonElement.Parse("""{"a":[1,2]}""") };

        Assert.Equal("""{"a":[1,2]}""", Encoding.UTF8.GetString(delivery.PayloadUtf8.Span));
        Assert.EndsWith("\"payload\":{\"a\":[1,2]}}", JsonSerializer.Serialize(delivery, CoreJsonSerializerOptions()), StringComparison.Ordinal);
    }

    [Fact]
    public void Delivery_WhenItHasNoPayload_ShouldRefuseToBeWritten()
    {
        var delivery = DeliveryRenderer.Render(SampleAlerts.Firing(), DeliveryActions.Trigger, SampleAlerts.OnCall, drill: false) with { PayloadUtf8 = default };

        Assert.Throws<InvalidOperationException>(() => JsonSerializer.Serialize(delivery, CoreJsonSerializerOptions()));
    }

    private static JsonSerializerOptions CoreJsonSerializerOptions() => new(JsonSerializerDefaults.Web) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
}
