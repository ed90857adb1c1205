using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Events.Internal;

namespace OpsPipeline.Core.Tests.Events;

/// <summary>
/// The fast alarm-event reader against the source-generated bind: for every input, <see cref="EventParser.Parse(ReadOnlySpan{byte})"/>
/// (fast path first) and <see cref="EventParser.ParseByBind"/> (the bind alone) must give the same event or the
/// same error, field and message. And the fast path must actually be taken for well-formed alarm events.
/// </summary>
public class AlarmEventReaderTests
{
    public static TheoryData<string> Samples() => [.. SampleEvents.CloudWatchFiles()];

    [Theory]
    [MemberData(nameof(Samples))]
    public void TryRead_WhenTheSampleIsWellFormed_ShouldReadItWithoutTheBind(string file)
    {
        var bytes = SampleEvents.Bytes(file);

        var wire = AlarmEventReader.TryRead(bytes);

        Assert.NotNull(wire);
        Assert.Equal(Outcome(() => EventParser.ParseByBind(bytes)), Outcome(() => EventParser.Parse(bytes)));
        Assert.Equal(JsonNode.Parse(bytes)!["detail"]!["alarmName"]!.GetValue<string>(), wire.Detail!.AlarmName);
    }

    [Fact]
    public void Outcome_WhenTwoEventsDifferInOneNestedValue_ShouldDiffer()
    {
        // The comparison below must see deep fields, or equal outcomes would prove nothing.
        var sample = SampleEvents.Text("cloudwatch-alarm-single-metric.json");
        var changed = SampleEvents.Edit(sample, "detail.configuration", """{"metrics":[{"id":"m1","metricStat":{"period":61}}]}""");
        var original = SampleEvents.Edit(sample, "detail.configuration", """{"metrics":[{"id":"m1","metricStat":{"period":60}}]}""");

        Assert.NotEqual(Outcome(() => EventParser.Parse(Encoding.UTF8.GetBytes(original))), Outcome(() => EventParser.Parse(Encoding.UTF8.GetBytes(changed))));
    }

    [Fact]
    public void TryRead_WhenTheEventIsNotAnAlarmEvent_ShouldLeaveItToTheBind()
    {
        Assert.Null(AlarmEventReader.TryRead(File.ReadAllBytes(Path.Combine(SampleEvents.Folder, "dlq-message-arrived.json"))));
        Assert.Null(AlarmEventReader.TryRead(Encoding.UTF8.GetBytes(SampleEvents.With("cloudwatch-alarm-single-metric.json", "detail-type", "\"CloudWatch Alarm Configuration Change\""))));
    }

    [Theory]
    [InlineData("detail.state.value", "1")]                       // another JSON kind
    [InlineData("detail.state.timestamp", "\"yesterday\"")]       // not a timestamp
    [InlineData("detail.state.reasonData", "{\"a\":1}")]          // embedded object: the bind's converter keeps it
    [InlineData("resources", "[1]")]
    public void TryRead_WhenUnsure_ShouldLeaveItToTheBind(string path, string value)
    {
        Assert.Null(AlarmEventReader.TryRead(Encoding.UTF8.GetBytes(SampleEvents.With("cloudwatch-alarm-single-metric.json", path, value))));
    }

    [Theory]
    [InlineData("\"detail\": {", "\"detail\": {\"alarmName\": \"first\", ")]           // a duplicated known key
    [InlineData("\"detail\": {", "\"detail\": {\"extra\": 1, \"extra\": 2, ")]           // a duplicated unknown key
    [InlineData("\"ApiName\": \"checkout-api\"", "\"ApiName\": \"a\", \"ApiName\": \"b\"")] // a duplicated map key
    [InlineData("\"ApiName\": \"checkout-api\"", "\"ApiName\": null")]                   // null in a map
    [InlineData("\"returnData\": true", "\"returnData\": \"true\"")]
    [InlineData("\"period\": 60", "\"period\": 60.0")]
    [InlineData("\"period\": 60", "\"period\": 3000000000")]
    [InlineData("\"alarmName\": \"checkout-api-5xx\"", "\"alarm\\u004eame\": \"checkout-api-5xx\"")] // escaped name
    [InlineData("\"version\": \"0\"", "\"version\": \"0\", \"unknown\": {\"deep\": [1, {\"x\": null}]}")]
    public void Parse_WhenTheTextIsEdited_ShouldMatchTheBind(string find, string replace)
    {
        var text = SampleEvents.Text("cloudwatch-alarm-single-metric.json");
        Assert.Contains(find, text, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text.Replace(find, replace, StringComparison.Ordinal));

        Assert.Equal(Outcome(() => EventParser.ParseByBind(bytes)), Outcome(() => EventParser.Parse(bytes)));
    }

    /// <summary>Every value of every sample, swapped for each JSON kind or removed: the fast path and the bind agree on all of them.</summary>
    [Theory]
    [MemberData(nameof(Samples))]
    public void Parse_WhenAnyValueOfASampleIsReplaced_ShouldMatchTheBind(string file)
    {
        string?[] replacements = ["null", "0", "-1.5", "true", "\"\"", "\"x\"", "[]", "{}", "[null]", "{\"k\":\"v\"}", "\"2026-03-10T09:16:40Z\"", "\"ALARM\"", null];
        var root = JsonNode.Parse(SampleEvents.Bytes(file))!;
        var checkedCount = 0;
        var fastCount = 0;
        foreach (var path in Paths(root, string.Empty))
        {
            foreach (var replacement in replacements)
            {
                var edited = JsonNode.Parse(SampleEvents.Bytes(file))!;
                Replace(edited, path, replacement);
                var bytes = Encoding.UTF8.GetBytes(edited.ToJsonString(Unescaped));
                fastCount += AlarmEventReader.TryRead(bytes) is null ? 0 : 1;

                Assert.True(Outcome(() => EventParser.ParseByBind(bytes)) == Outcome(() => EventParser.Parse(bytes)), $"{file}: {path} = {replacement ?? "(removed)"}");
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 100, $"only {checkedCount} variants of {file}");
        // Most edits leave an event the fast path reads (a changed optional value, a removed optional field):
        // the comparison is between two readers, not the bind with itself.
        Assert.True(fastCount > checkedCount / 4, $"the fast path read only {fastCount} of {checkedCount} variants of {file}");
    }

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void Parse_WhenInputIsHostile_ShouldMatchTheBind(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(HostileFolder(), file));

        Assert.Equal(Outcome(() => EventParser.ParseByBind(bytes)), Outcome(() => EventParser.Parse(bytes)));
    }

    /// <summary>Random byte edits and truncations of every sample: the same outcome either way.</summary>
    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property Parse_WhenASampleIsMutated_ShouldMatchTheBind(NonNegativeInt sample, NonNegativeInt position, byte value, bool truncate)
    {
        var files = SampleEvents.CloudWatchFiles().ToList();
        var mutated = SampleEvents.Bytes(files[sample.Get % files.Count]);
        var at = position.Get % mutated.Length;
        if (truncate)
        {
            mutated = mutated[..at];
        }
        else
        {
            mutated[at] = value;
        }

        var bind = Outcome(() => EventParser.ParseByBind(mutated));
        var fast = Outcome(() => EventParser.Parse(mutated));
        return (bind == fast).Label($"bind: {bind}\nfast: {fast}");
    }

    /// <summary>As EventBridge writes events: '+' in timestamps and the like are not escaped.</summary>
    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> HostileFiles() =>
        [.. Directory.EnumerateFiles(HostileFolder()).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    private static string HostileFolder([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "Hostile", "corpus");

    /// <summary>What a parse came to, as text: every field of the event, or the exception's type, field and message.</summary>
    private static string Outcome(Func<ParsedEvent> parse)
    {
        ParsedEvent parsed;
        try
        {
            parsed = parse();
        }
        catch (InvalidEventException e)
        {
            return $"rejected {e.Field}: {e.Message}";
        }
        catch (Exception e)
        {
            return $"threw {e.GetType().Name}: {e.Message}";
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{parsed.GetType().Name} {parsed.Id} {parsed.DetailType} {parsed.Source} {parsed.Account} {parsed.Region} {parsed.Time:O} [{string.Join('|', parsed.Resources)}] {parsed.ReplayName}");
        switch (parsed)
        {
            case AlarmContributorStateChangeEvent c:
                text.Append(CultureInfo.InvariantCulture, $" {c.AlarmName} {c.AlarmArn} {c.Kind} {JsonSerializer.Serialize(c.Detail, CloudWatchJsonContext.Default.CloudWatchAlarmDetail)} {JsonSerializer.Serialize(c.Contributor, CloudWatchJsonContext.Default.AlarmContributor)}");
                break;
            case CloudWatchAlarmEvent a:
                text.Append(CultureInfo.InvariantCulture, $" {a.AlarmName} {a.AlarmArn} {a.Kind} {JsonSerializer.Serialize(a.Detail, CloudWatchJsonContext.Default.CloudWatchAlarmDetail)}");
                break;
            case DlqArrivalEvent d:
                text.Append(CultureInfo.InvariantCulture, $" {d.Arrival}");
                break;
        }

        return text.ToString();
    }

    /// <summary>Every property and array element path under <paramref name="node"/>, e.g. <c>detail.configuration.metrics[0].id</c>.</summary>
    private static IEnumerable<string> Paths(JsonNode node, string prefix)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    var path = prefix.Length == 0 ? key : prefix + "." + key;
                    yield return path;
                    if (child is not null)
                    {
                        foreach (var p in Paths(child, path))
                        {
                            yield return p;
                        }
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    var path = $"{prefix}[{i}]";
                    yield return path;
                    if (a[i] is { } child)
                    {
                        foreach (var p in Paths(child, path))
                        {
                            yield return p;
                        }
                    }
                }

                break;
        }
    }

    /// <summary>Sets the value at <paramref name="path"/> (from <see cref="Paths"/>) to <paramref name="json"/>, or removes it when null.</summary>
    private static void Replace(JsonNode root, string path, string? json)
    {
        var parts = path.Replace("[", ".[", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries);
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = part.StartsWith('[') ? parent[int.Parse(part[1..^1], CultureInfo.InvariantCulture)]! : parent[part]!;
        }

        var last = parts[^1];
        var value = json is null ? null : JsonNode.Parse(json);
        if (last.StartsWith('['))
        {
            var array = parent.AsArray();
            var index = int.Parse(last[1..^1], CultureInfo.InvariantCulture);
            if (value is null && json is null)
            {
                array.RemoveAt(index);
            }
            else
            {
                array[index] = value;
            }
        }
        else if (json is null)
        {
            parent.AsObject().Remove(last);
        }
        else
        {
            parent[last] = value;
        }
    }
}
