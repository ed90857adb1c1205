using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Tests.Events;

public class ParkedCopyTests
{
    private static bool SqsTakes(string text) => ParkedCopy.FirstCharacterSqsRefuses(text) is null;

    [Theory]
    [InlineData("plain text\twith tab\r\n", null)]
    [InlineData("a\u0000b", 1)]
    [InlineData("ok \ud83d\ude00 pair", null)]
    [InlineData("\uFFFE", 0)]
    public void FirstCharacterSqsRefuses_WhenTextHoldsWhatSqsRefuses_ShouldNameItsIndex(string text, int? at)
    {
        Assert.Equal(at, ParkedCopy.FirstCharacterSqsRefuses(text));
    }

    [Fact]
    public void FirstCharacterSqsRefuses_WhenASurrogateHasNoPartner_ShouldNameIt()
    {
        // Built from code units: attribute arguments cannot carry a lone surrogate.
        Assert.Equal(5, ParkedCopy.FirstCharacterSqsRefuses("lone " + (char)0xD800));
        Assert.Equal(4, ParkedCopy.FirstCharacterSqsRefuses("low " + (char)0xDC00 + " first"));
    }

    [Theory]
    [InlineData("""{"a":"x\ud800y"}""", """{"a":"x\\ud800y"}""")]
    [InlineData("""{"a":"\udfff"}""", """{"a":"\\udfff"}""")]
    [InlineData("""{"a":"\ud83d\ude00 ok"}""", """{"a":"\ud83d\ude00 ok"}""")] // a whole pair is kept
    [InlineData("""{"a":"\\ud800"}""", """{"a":"\\ud800"}""")] // already text: a literal backslash before "ud800"
    [InlineData("""{"\ud800":1}""", """{"\\ud800":1}""")] // in a key too
    [InlineData("""{"a":"\u0041\n"}""", """{"a":"\u0041\n"}""")]
    public void NeutralizeLoneSurrogates_WhenAnEscapeHasNoPartner_ShouldTurnItIntoTextAndKeepEverythingElse(string json, string expected)
    {
        var neutral = ParkedCopy.NeutralizeLoneSurrogates(json);

        Assert.Equal(expected, neutral);
        Assert.NotNull(JsonNode.Parse(neutral)); // a validating reader takes it
    }

    [Fact]
    public void Render_WhenTheInputHoldsControlCharactersAndNonAscii_ShouldBeAsciiJsonSqsTakesWithTheErrorNamed()
    {
        var input = JsonNode.Parse("""{"detail":{"alarmName":"a\u0000b\u001fc\uFFFEd é"}}""");

        var text = ParkedCopy.Render(input, "InvalidEventException", "detail.alarmName: control character");

        Assert.True(SqsTakes(text), text);
        Assert.All(text, c => Assert.True(c < 128, $"non-ASCII {(int)c} in {text}"));
        using var parked = JsonDocument.Parse(text);
        Assert.Equal("a\u0000b\u001fc\uFFFEd é", parked.RootElement.GetProperty("event").GetProperty("detail").GetProperty("alarmName").GetString());
        Assert.Equal("InvalidEventException", parked.RootElement.GetProperty("error").GetProperty("Error").GetString());
    }

    [Fact]
    public void Render_WhenTheInputIsTooLargeToPark_ShouldKeepItsHeadSizeAndHash()
    {
        var input = new JsonObject { ["detail"] = new string('x', 300 * 1024) };

        var text = ParkedCopy.Render(input, "States.DataLimitExceeded", "too large");

        Assert.True(ParkedCopy.SizeAsJsonString(text) <= ParkedCopy.MaxBytes);
        using var parked = JsonDocument.Parse(text);
        var e = parked.RootElement.GetProperty("event");
        Assert.True(e.GetProperty("truncated").GetBoolean());
        Assert.Equal(input.ToJsonString().Length, e.GetProperty("bytes").GetInt32());
        Assert.Equal(64, e.GetProperty("sha256").GetString()!.Length);
        Assert.StartsWith("{\"detail\":\"xxx", e.GetProperty("head").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WhenTheInputIsMostlyQuotes_ShouldStillFitTheStateAsAJsonString()
    {
        // ["","",...]: every character a quote or comma, so escaping it again doubles it; the copy must still fit.
        var input = new JsonArray([.. Enumerable.Range(0, 60_000).Select(_ => (JsonNode)JsonValue.Create(string.Empty))]);

        var text = ParkedCopy.Render(input, "InvalidEventException", "(root): expected a JSON object");

        Assert.True(ParkedCopy.SizeAsJsonString(text) <= ParkedCopy.MaxBytes, $"{ParkedCopy.SizeAsJsonString(text)} bytes");
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("event").GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public void Render_WhenAMaskIsGiven_ShouldApplyItToEveryStringAndTheCause()
    {
        var input = JsonNode.Parse("""{"detail":{"configuration":{"description":"password=hunter2"}},"list":["password=x"]}""");

        var text = ParkedCopy.Render(input, "E", "cause password=y", s => s.Replace("password=", "password=[masked]", StringComparison.Ordinal).Replace("hunter2", string.Empty, StringComparison.Ordinal));

        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains("\"Cause\":\"cause password=[masked]y\"", text, StringComparison.Ordinal);
        Assert.Contains("[\"password=[masked]x\"]", text, StringComparison.Ordinal);
    }
}
