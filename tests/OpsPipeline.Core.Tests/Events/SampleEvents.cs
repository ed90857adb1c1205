using System.Text.Json.Nodes;
using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Tests.Events;

/// <summary>The sample events in the repository's events/ folder, and ways to bend them into bad inputs.</summary>
internal static class SampleEvents
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Folder => Path.Combine(RepoRoot, "events");

    /// <summary>Every events/cloudwatch-*.json, by file name.</summary>
    public static IEnumerable<string> CloudWatchFiles() =>
        Directory.EnumerateFiles(Folder, "cloudwatch-*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static string Text(string fileName) => File.ReadAllText(Path.Combine(Folder, fileName));

    public static byte[] Bytes(string fileName) => File.ReadAllBytes(Path.Combine(Folder, fileName));

    /// <summary>The alarms section of the README sample config, inline so these tests do not depend on the config loader.</summary>
    public static IReadOnlyList<AlarmLabelRule> SampleConfigRules { get; } =
    [
        Rule("alarmName", "~^checkout-", ("service", "checkout"), ("severity", "critical"), ("kind", "component")),
        Rule("alarmName", "checkout-capability", ("service", "checkout"), ("severity", "critical"), ("kind", "capability")),
    ];

    public static AlarmLabelRule Rule(string label, string pattern, params (string Key, string Value)[] labels) =>
        new(new LabelMatchers([new LabelMatcher(label, pattern)]), labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal));

    /// <summary>
    /// The sample with the field at <paramref name="path"/> (dots, e.g. <c>detail.state.value</c>) replaced by
    /// <paramref name="jsonValue"/> (JSON text), or removed when it is null.
    /// </summary>
    public static string With(string fileName, string path, string? jsonValue) => Edit(Text(fileName), path, jsonValue);

    /// <summary>Like <see cref="With"/>, on JSON text rather than a sample file.</summary>
    public static string Edit(string json, string path, string? jsonValue)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent[part]!.AsObject();
        }

        if (jsonValue is null)
        {
            parent.Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = JsonNode.Parse(jsonValue);
        }

        return root.ToJsonString();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessOpsPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no ServerlessOpsPipeline.sln above {AppContext.BaseDirectory}");
    }
}
