using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsCtl.Local;
using OpsPipeline.Functions.Adapters;
using YamlDotNet.RepresentationModel;

namespace OpsPipeline.Integration.Tests;

/// <summary>The local stack's table is the deployed one: same keys, same due index, same projection.</summary>
public class LocalTableTests
{
    [Fact]
    public async Task CreateTable_WhenTheLocalStackStarts_ShouldBuildTheTableTemplateYamlDeclares()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "template.yaml"))));
        var table = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["Resources"]["AlertTable"]["Properties"];
        var declared = ((YamlSequenceNode)table["GlobalSecondaryIndexes"]).Children.Cast<YamlMappingNode>().Single();

        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.AlarmsOnly(), Clock = TimeProvider.System }, CancellationToken.None);
        var described = (await stack.Dynamo.DescribeTableAsync(LocalStack.TableName)).Table;
        var local = described.GlobalSecondaryIndexes.Single();

        Assert.Equal(TableSchema.DueIndex, ((YamlScalarNode)declared["IndexName"]).Value);
        Assert.Equal(TableSchema.DueIndex, local.IndexName);
        Assert.Equal(
            ((YamlSequenceNode)declared["KeySchema"]).Children.Cast<YamlMappingNode>().Select(k => (((YamlScalarNode)k["AttributeName"]).Value, ((YamlScalarNode)k["KeyType"]).Value)),
            local.KeySchema.Select(k => ((string?)k.AttributeName, (string?)k.KeyType.Value)));
        Assert.Equal(((YamlScalarNode)declared["Projection"]["ProjectionType"]).Value, local.Projection.ProjectionType.Value);
        Assert.Equal(
            ((YamlSequenceNode)table["KeySchema"]).Children.Cast<YamlMappingNode>().Select(k => (((YamlScalarNode)k["AttributeName"]).Value, ((YamlScalarNode)k["KeyType"]).Value)),
            described.KeySchema.Select(k => ((string?)k.AttributeName, (string?)k.KeyType.Value)));
    }
}
