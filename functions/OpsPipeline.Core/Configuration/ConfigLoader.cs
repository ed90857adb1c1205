using OpsPipeline.Core.Configuration.Internal;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Core.Configuration;

/// <summary>Loads and validates the one YAML configuration file; every problem is reported at once, with its line.</summary>
/// <remarks>
/// Parsed with YamlDotNet's representation model (no reflection, so trim/AOT-safe, and every node has a position).
/// <c>${Name}</c> in any scalar value is replaced from the substitutions (in AWS: environment variables such as
/// <c>OpsEmailTopicArn</c>); an unresolved one is an error naming the field.
/// Defaults: no <c>defaults</c> section means <see cref="Defaults"/>'s values; an SLO without <c>burnAlerts</c> gets
/// <see cref="DefaultBurnAlerts"/>, and a burn alert without <c>receiver</c> goes to the SLO's <c>receiver</c> if it
/// has one, else to the root route's receiver (an explicit <c>burnAlerts: []</c> means none); <c>dlq.groupBy</c>
/// defaults to <c>[queue]</c>.
/// </remarks>
public static class ConfigLoader
{
    /// <summary>
    /// The Google SRE workbook's defaults, used when an SLO has no <c>burnAlerts</c>: pages at 14.4× over 1h (checked
    /// over 5m) and 6× over 6h (checked over 30m), and a ticket at 1× over 3d (checked over 6h).
    /// </summary>
    public static IReadOnlyList<BurnAlertConfig> DefaultBurnAlerts(string receiver) =>
    [
        new(TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), 14.4, receiver),
        new(TimeSpan.FromHours(6), TimeSpan.FromMinutes(30), 6, receiver),
        new(TimeSpan.FromDays(3), TimeSpan.FromHours(6), 1, receiver),
    ];

    /// <summary>Parses and validates <paramref name="yamlText"/>; throws <see cref="ConfigException"/> listing every error.</summary>
    /// <param name="yamlText">The whole file's text.</param>
    /// <param name="sourceName">Names the file in error messages (<c>{sourceName}:{line}:{column}: ...</c>).</param>
    /// <param name="substitutions">Values for <c>${Name}</c> placeholders; null means none are available.</param>
    public static PipelineConfig Load(string yamlText, string sourceName, IReadOnlyDictionary<string, string>? substitutions = null)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(sourceName);

        var errors = new List<ConfigError>();
        YamlStream stream;
        try
        {
            // YamlStream stops at the first duplicate key, so a scan of the event stream reports all of them first.
            DuplicateKeyScan.Scan(yamlText, errors);
            if (errors.Count > 0)
            {
                throw new ConfigException(sourceName, errors);
            }

            stream = new YamlStream();
            stream.Load(new StringReader(yamlText));
        }
        catch (YamlException e)
        {
            throw new ConfigException(sourceName, [SyntaxError(e)]);
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new ConfigException(sourceName, [new ConfigError((int)second.Line, (int)second.Column, "config", "the file must hold one YAML document, found " + stream.Documents.Count)]);
        }

        var reader = new ConfigReader(substitutions);
        var config = reader.Read(stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode);
        if (reader.Errors.Count > 0)
        {
            throw new ConfigException(sourceName, [.. reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }

        return config;
    }

    /// <summary>Reads the file at <paramref name="path"/> (the caller's I/O choice) and <see cref="Load"/>s it under its file name.</summary>
    public static PipelineConfig LoadFile(string path, IReadOnlyDictionary<string, string>? substitutions = null) =>
        Load(File.ReadAllText(path), Path.GetFileName(path), substitutions);

    private static ConfigError SyntaxError(YamlException e)
    {
        // YamlException.Message repeats the position as "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; keep the words.
        var message = e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0)
        {
            message = message[(cut + 3)..];
        }

        if (e.InnerException is not null && message.Length == 0)
        {
            message = e.InnerException.Message;
        }

        return new ConfigError((int)e.Start.Line, (int)e.Start.Column, "yaml", "invalid YAML: " + message);
    }
}
