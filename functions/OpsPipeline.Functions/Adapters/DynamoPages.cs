using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace OpsPipeline.Functions.Adapters;

/// <summary>Every item of a Query or Scan, following LastEvaluatedKey: DynamoDB returns at most 1 MB per page.</summary>
internal static class DynamoPages
{
    public static async Task<List<Dictionary<string, AttributeValue>>> QueryAllAsync(this IAmazonDynamoDB dynamo, QueryRequest request, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var page = await dynamo.QueryAsync(request, ct).ConfigureAwait(false);
            items.AddRange(page.Items ?? []);
            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);
        return items;
    }

    public static async Task<List<Dictionary<string, AttributeValue>>> ScanAllAsync(this IAmazonDynamoDB dynamo, ScanRequest request, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var page = await dynamo.ScanAsync(request, ct).ConfigureAwait(false);
            items.AddRange(page.Items ?? []);
            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);
        return items;
    }
}
