using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// One partition of the sparse "due" index (keys only): alert work (DUE), deferred deliveries (DEFERRED) and the
/// flood guard's tallies (FLOOD) each have their own, so the Tick reads each kind with one Query.
/// </summary>
internal sealed class DueShard(IAmazonDynamoDB dynamo, string tableName, string shard)
{
    /// <summary>The keys (pk, sk) of the items due at or before <paramref name="until"/>, in due order.</summary>
    public Task<List<Dictionary<string, AttributeValue>>> KeysDueAsync(DateTimeOffset until, CancellationToken ct)
    {
        var query = Query(until, limit: null);
        query.ProjectionExpression = "pk, sk";
        return dynamo.QueryAllAsync(query, ct);
    }

    /// <summary>When the earliest item of the shard is due, if any (for a local run's clock; one Query).</summary>
    public async Task<DateTimeOffset?> EarliestAsync(CancellationToken ct)
    {
        var page = await dynamo.QueryAsync(Query(DateTimeOffset.MaxValue, limit: 1), ct).ConfigureAwait(false);
        return page.Items is [var first, ..] ? DateTimeOffset.Parse(first[TableSchema.DueAt].S, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;
    }

    private QueryRequest Query(DateTimeOffset until, int? limit) => new()
    {
        TableName = tableName,
        IndexName = TableSchema.DueIndex,
        KeyConditionExpression = "dueShard = :shard AND dueAt <= :until",
        ExpressionAttributeValues = new Dictionary<string, AttributeValue>
        {
            [":shard"] = new() { S = shard },
            [":until"] = new() { S = DynamoAlertStateStore.SortableTime(until) },
        },
        Limit = limit,
    };
}
