using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Ports;
using OpsPipeline.Core.Silences;

namespace OpsPipeline.Functions.Adapters;

/// <summary>Silences in the pipeline table: pk = SILENCE, sk = id; TTL removes them a while after they end.</summary>
public sealed class DynamoSilenceStore(IAmazonDynamoDB dynamo, string tableName) : ISilenceStore
{
    /// <summary>Expired silences stay readable this long (for "who silenced what") before TTL may remove them.</summary>
    public static readonly TimeSpan KeepAfterEnd = TimeSpan.FromDays(7);

    public async Task<IReadOnlyList<Silence>> ListAsync(CancellationToken ct) =>
        [.. (await dynamo.QueryAllAsync(new QueryRequest
        {
            TableName = tableName,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":pk"] = new() { S = "SILENCE" } },
            ConsistentRead = true,
        }, ct).ConfigureAwait(false)).Select(FromItem)];

    public Task PutAsync(Silence silence, CancellationToken ct) =>
        dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = ToItem(silence) }, ct);

    public async Task<bool> ExpireAsync(string id, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = new Dictionary<string, AttributeValue> { [TableSchema.PartitionKey] = new() { S = "SILENCE" }, [TableSchema.SortKey] = new() { S = id } },
                UpdateExpression = "SET endsAt = :now",
                ConditionExpression = "attribute_exists(pk)",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":now"] = new() { S = DynamoAlertStateStore.SortableTime(now) } },
            }, ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static Dictionary<string, AttributeValue> ToItem(Silence s)
    {
        var item = Item(s);
        if (s.Expressions.Count > 0)
        {
            item["expressions"] = new() { L = [.. s.Expressions.Select(e => new AttributeValue { S = e })] };
        }

        return item;
    }

    private static Dictionary<string, AttributeValue> Item(Silence s) => new()
    {
        [TableSchema.PartitionKey] = new() { S = "SILENCE" },
        [TableSchema.SortKey] = new() { S = s.Id },
        ["matchers"] = new() { M = s.Matchers.ToDictionary(m => m.Key, m => new AttributeValue { S = m.Value }) },
        ["startsAt"] = new() { S = DynamoAlertStateStore.SortableTime(s.StartsAt) },
        ["endsAt"] = new() { S = DynamoAlertStateStore.SortableTime(s.EndsAt) },
        ["createdBy"] = new() { S = s.CreatedBy },
        ["comment"] = new() { S = s.Comment },
        [TableSchema.ExpiresAt] = new() { N = s.EndsAt.Add(KeepAfterEnd).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
    };

    private static Silence FromItem(Dictionary<string, AttributeValue> item) => new()
    {
        Id = item[TableSchema.SortKey].S,
        Matchers = (item["matchers"].M ?? []).ToDictionary(m => m.Key, m => m.Value.S, StringComparer.Ordinal),
        Expressions = item.TryGetValue("expressions", out var e) && e.L is { } list ? [.. list.Select(x => x.S)] : [],
        StartsAt = DateTimeOffset.Parse(item["startsAt"].S, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        EndsAt = DateTimeOffset.Parse(item["endsAt"].S, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        CreatedBy = item["createdBy"].S,
        Comment = item["comment"].S,
    };
}

