using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// template.yaml as a YAML node tree. The representation model keeps CloudFormation's short-form tags
/// (!Ref, !Sub, !GetAtt, …) on the nodes instead of resolving them to types, so the template parses as written.
/// </summary>
internal sealed class SamTemplate
{
    private SamTemplate(YamlMappingNode root)
    {
        Root = root;
    }

    public YamlMappingNode Root { get; }

    public YamlMappingNode Resources => Map(Root, "Resources");

    public static SamTemplate Load(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        Assert.Single(stream.Documents);
        return new SamTemplate((YamlMappingNode)stream.Documents[0].RootNode);
    }

    public IEnumerable<(string LogicalId, YamlMappingNode Properties)> ResourcesOfType(string type) =>
        AllResources().Where(r => Scalar(r.Resource, "Type") == type).Select(r => (r.LogicalId, Map(r.Resource, "Properties")));

    /// <summary>
    /// Every resource, with those inside an Fn::ForEach (AWS::LanguageExtensions) given by their logical-id template
    /// (e.g. DlqPipe&amp;{DlqArn}): [identifier, collection, {template: resource}].
    /// </summary>
    public IEnumerable<(string LogicalId, YamlMappingNode Resource)> AllResources()
    {
        foreach (var (key, value) in Resources.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name.StartsWith("Fn::ForEach::", StringComparison.Ordinal))
            {
                foreach (var (innerKey, inner) in (YamlMappingNode)((YamlSequenceNode)value).Children[2])
                {
                    yield return (((YamlScalarNode)innerKey).Value!, (YamlMappingNode)inner);
                }

                continue;
            }

            yield return (name, (YamlMappingNode)value);
        }
    }

    public YamlMappingNode Properties(string logicalId) => Map(Map(Resources, logicalId), "Properties");

    /// <summary>A function property, falling back to Globals.Function as SAM does.</summary>
    public YamlNode? FunctionProperty(YamlMappingNode functionProperties, string name)
    {
        if (Find(functionProperties, name) is { } own)
        {
            return own;
        }

        return Find(Root, "Globals") is YamlMappingNode globals && Find(globals, "Function") is YamlMappingNode function
            ? Find(function, name)
            : null;
    }

    public static YamlNode? Find(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlMappingNode Map(YamlMappingNode map, string key) =>
        Find(map, key) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"'{key}' is not a mapping at {map.Start}");

    public static string? Scalar(YamlMappingNode map, string key) => (Find(map, key) as YamlScalarNode)?.Value;

    /// <summary>A scalar or a sequence of scalars, as IAM's Action/Resource and CloudFormation lists allow.</summary>
    public static IReadOnlyList<YamlNode> OneOrMany(YamlNode? node) => node switch
    {
        null => [],
        YamlSequenceNode sequence => [.. sequence.Children],
        _ => [node],
    };

    /// <summary>
    /// The template's text with one parameter's Default replaced (as a single-quoted YAML scalar), e.g. to expand an
    /// Fn::ForEach over other values: the transforms expand a collection over the parameter's Default.
    /// </summary>
    public static string WithParameterDefault(string yaml, string parameter, string value)
    {
        var pattern = new System.Text.RegularExpressions.Regex(
            $@"(?m)^(  {System.Text.RegularExpressions.Regex.Escape(parameter)}:\r?\n(?:    .*\r?\n)*?    Default: ).*$");
        Assert.True(pattern.Count(yaml) == 1, $"expected one 'Default:' line under parameter {parameter}");
        return pattern.Replace(yaml, m => m.Groups[1].Value + "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'");
    }

    public static string Tag(YamlNode node) => node.Tag.IsEmpty ? string.Empty : node.Tag.Value;
}
