using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Tests.Events;

namespace OpsPipeline.Core.Tests.Hostile;

/// <summary>
/// Hostile and broken inputs (tests/…/Hostile/corpus, one file each, expected field in corpus.expected.json): each is
/// rejected with an InvalidEventException that names the field, and nothing else ever escapes the parser.
/// </summary>
public class HostileInputTests
{
    private static string Folder([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "corpus");

    private static readonly Dictionary<string, string> Expected =
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Path.GetDirectoryName(Folder())!, "corpus.expected.json")))!;

    public static TheoryData<string> Corpus() => [.. Expected.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public void Corpus_WhenCounted_ShouldHoldAtLeast50Inputs()
    {
        Assert.True(Directory.GetFiles(Folder()).Length >= 50);
        Assert.Equal(Directory.GetFiles(Folder()).Select(Path.GetFileName).Order(StringComparer.Ordinal), Expected.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Parse_WhenInputIsHostile_ShouldRejectItNamingTheField(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder(), file));

        var error = Assert.Throws<InvalidEventException>(() => EventParser.Parse(bytes));

        Assert.Equal(Expected[file], error.Field);
        Assert.StartsWith(Expected[file] + ":", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 400, "a rejection is one readable line, not an echo of the input");
    }

    /// <summary>Mutations of every sample event: whatever the bytes, the parser accepts or rejects by field — it never throws anything else.</summary>
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Parse_WhenASampleIsMutated_ShouldAcceptOrRejectByFieldOnly(NonNegativeInt sample, NonNegativeInt position, byte value, bool truncate)
    {
        var files = SampleEvents.CloudWatchFiles().ToList();
        var original = SampleEvents.Bytes(files[sample.Get % files.Count]);
        var mutated = original.ToArray();
        var at = position.Get % mutated.Length;
        if (truncate)
        {
            mutated = mutated[..at];
        }
        else
        {
            mutated[at] = value;
        }

        try
        {
            var parsed = EventParser.Parse(mutated);
            return (parsed.Id.Length > 0).Label("accepted events keep an id");
        }
        catch (InvalidEventException e)
        {
            return (e.Field.Length > 0 && e.Message.StartsWith(e.Field + ":", StringComparison.Ordinal)).Label($"rejection names its field: {e.Message}");
        }
    }

    [Fact]
    public void Parse_WhenFieldsAreDeletedOneByOne_ShouldNameEachRequiredOne()
    {
        var sample = Encoding.UTF8.GetString(SampleEvents.Bytes("cloudwatch-alarm-single-metric.json"));
        foreach (var field in new[] { "id", "source", "account", "region", "time" })
        {
            var without = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(sample)!;
            without.Remove(field);

            var error = Assert.Throws<InvalidEventException>(() => EventParser.Parse(JsonSerializer.Serialize(without)));
            Assert.Equal(field, error.Field);
        }
    }
}
