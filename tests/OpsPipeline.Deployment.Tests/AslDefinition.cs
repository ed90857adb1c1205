using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpsPipeline.Deployment.Tests;

/// <summary>statemachines/alert-pipeline.asl.json as a JSON tree, with every state at any depth.</summary>
internal sealed partial class AslDefinition
{
    private AslDefinition(string text, JsonObject root)
    {
        Text = text;
        Root = root;
    }

    public string Text { get; }

    public JsonObject Root { get; }

    public static AslDefinition Load(string path)
    {
        var text = File.ReadAllText(path);
        return new AslDefinition(text, JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>Every state: top level, Map ItemProcessor/Iterator, Parallel branches; with the Map it sits in, if any.</summary>
    public IEnumerable<(string Name, JsonObject State, string? InsideMap)> States() => StatesOf(Root, null);

    public JsonObject State(string name) => States().Single(s => s.Name == name).State;

    /// <summary>Names of the ${Substitution} placeholders, as CloudFormation's DefinitionSubstitutions replaces them.</summary>
    public IReadOnlySet<string> Placeholders() =>
        Placeholder().Matches(Text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    public string Substitute(IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(Text, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new Xunit.Sdk.XunitException($"no value for ${{{m.Groups[1].Value}}}"));

    /// <summary>Every ErrorEquals entry of every Retry and Catch, with where it is.</summary>
    public IEnumerable<(string State, string Field, string Error)> ErrorEquals()
    {
        foreach (var (name, state, _) in States())
        {
            foreach (var field in new[] { "Retry", "Catch" })
            {
                foreach (var rule in state[field]?.AsArray() ?? [])
                {
                    foreach (var error in rule!["ErrorEquals"]!.AsArray())
                    {
                        yield return (name, field, error!.GetValue<string>());
                    }
                }
            }
        }
    }

    private static IEnumerable<(string Name, JsonObject State, string? InsideMap)> StatesOf(JsonObject machine, string? insideMap)
    {
        foreach (var (name, node) in machine["States"]!.AsObject())
        {
            var state = node!.AsObject();
            yield return (name, state, insideMap);
            var type = state["Type"]!.GetValue<string>();
            if (type == "Map" && (state["ItemProcessor"] ?? state["Iterator"]) is JsonObject processor)
            {
                foreach (var inner in StatesOf(processor, name))
                {
                    yield return inner;
                }
            }

            if (type == "Parallel")
            {
                foreach (var branch in state["Branches"]!.AsArray())
                {
                    foreach (var inner in StatesOf(branch!.AsObject(), insideMap))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();
}
