using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

using OpsPipeline.Core.Pipeline;

namespace OpsPipeline.Functions.Adapters;

/// <summary>Every item of a Query or Scan, following LastEvaluatedKey: DynamoDB returns at most 1 MB per page.</summary>
internal static class DynamoPages
{
    public static Task<List<Dictionary<string, AttributeValue>>> QueryAllAsync(this IAmazonDynamoDB dynamo, QueryRequest request, CancellationToken ct) =>
        AllPagesAsync(async () =>
        {
            var page = await dynamo.QueryAsync(request, ct).ConfigureAwait(false);
            request.ExclusiveStartKey = Next(page.LastEvaluatedKey);
            return (page.Items, request.ExclusiveStartKey is not null);
        });

    public static Task<List<Dictionary<string, AttributeValue>>> ScanAllAsync(this IAmazonDynamoDB dynamo, ScanRequest request, CancellationToken ct) =>
        AllPagesAsync(async () =>
        {
            var page = await dynamo.ScanAsync(request, ct).ConfigureAwait(false);
            request.ExclusiveStartKey = Next(page.LastEvaluatedKey);
            return (page.Items, request.ExclusiveStartKey is not null);
        });

    private static Dictionary<string, AttributeValue>? Next(Dictionary<string, AttributeValue>? lastEvaluatedKey) =>
        lastEvaluatedKey is { Count: > 0 } ? lastEvaluatedKey : null;

    private static async Task<List<Dictionary<string, AttributeValue>>> AllPagesAsync(Func<Task<(List<Dictionary<string, AttributeValue>>? Items, bool More)>> nextPage)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        bool more;
        do
        {
            (var page, more) = await nextPage().ConfigureAwait(false);
            items.AddRange(page ?? []);
        }
        while (more);
        return items;
    }

    /// <summary>Batch size limit of BatchGetItem.</summary>
    private const int BatchGetLimit = 100;

    /// <summary>Unprocessed keys (throttling) are asked for again, after 25-50 ms, 50-100 ms, … up to five attempts.</summary>
    private static readonly RetryPolicy UnprocessedKeysRetry = new(Attempts: 5, Step: TimeSpan.FromMilliseconds(50));

    /// <summary>Consistent reads of the given keys, 100 per BatchGetItem, unprocessed keys retried (throttling) a few times.</summary>
    public static async Task<List<Dictionary<string, AttributeValue>>> BatchGetAllAsync(this IAmazonDynamoDB dynamo, string tableName, IReadOnlyList<Dictionary<string, AttributeValue>> keys, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>(keys.Count);
        foreach (var chunk in keys.Chunk(BatchGetLimit))
        {
            var pending = new Dictionary<string, KeysAndAttributes> { [tableName] = new() { Keys = [.. chunk], ConsistentRead = true } };
            await UnprocessedKeysRetry.RunAsync(
                async () =>
                {
                    var response = await dynamo.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = pending }, ct).ConfigureAwait(false);
                    items.AddRange(response.Responses?.GetValueOrDefault(tableName) ?? []);
                    pending = response.UnprocessedKeys is { Count: > 0 } left ? left : [];
                    return pending.Count == 0 ? items : null;
                },
                () => new StateConflictException($"{tableName}: reads still throttled after {UnprocessedKeysRetry.Attempts} attempts (unprocessed keys)"),
                ct).ConfigureAwait(false);
        }

        return items;
    }
}
