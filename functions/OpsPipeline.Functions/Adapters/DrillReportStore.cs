using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>Source-generated JSON for drill report rows (stored as one JSON attribute, printed by opsctl).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DrillReportRow))]
[JsonSerializable(typeof(List<DrillReportRow>))]
public sealed partial class DrillJsonContext : JsonSerializerContext;

/// <summary>Drill reports in the pipeline table: pk = DRILLREPORT#{name}, sk = {event time}#{event id}; kept 30 days.</summary>
public sealed class DrillReportStore(IAmazonDynamoDB dynamo, string tableName) : IDrillReports
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    public Task AppendAsync(DrillReportRow row, DateTimeOffset now, CancellationToken ct) =>
        dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue>
            {
                [TableSchema.PartitionKey] = new() { S = "DRILLREPORT#" + row.ReplayName },
                [TableSchema.SortKey] = new() { S = DynamoAlertStateStore.SortableTime(row.EventTime) + "#" + row.EventId },
                ["row"] = new() { S = JsonSerializer.Serialize(row, DrillJsonContext.Default.DrillReportRow) },
                [TableSchema.ExpiresAt] = new() { N = (now + Retention).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
            },
        }, ct);

    public async Task<IReadOnlyList<DrillReportRow>> ListAsync(string replayName, CancellationToken ct) =>
        [.. (await dynamo.QueryAllAsync(new QueryRequest
        {
            TableName = tableName,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":pk"] = new() { S = "DRILLREPORT#" + replayName } },
            ConsistentRead = true,
        }, ct).ConfigureAwait(false)).Select(i => JsonSerializer.Deserialize(i["row"].S, DrillJsonContext.Default.DrillReportRow)!)];
}
