using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Dlq;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// DLQ bodies too large to travel in an event (over 64 KiB; SQS allows 1 MiB): kept in the table in chunks under
/// the 400 KB item limit (pk = DLQBODY#{sha256}, sk = chunk#{n}), for as long as the archive keeps the event.
/// </summary>
public sealed class ParkedBodyStore(IAmazonDynamoDB dynamo, string tableName, TimeSpan retention)
{
    public async Task PutAsync(string sha256, ReadOnlyMemory<byte> body, DateTimeOffset now, CancellationToken ct)
    {
        var chunks = DlqEnricher.Chunks(body);
        for (var i = 0; i < chunks.Count; i++)
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = new Dictionary<string, AttributeValue>
                {
                    [TableSchema.PartitionKey] = new() { S = "DLQBODY#" + sha256 },
                    [TableSchema.SortKey] = new() { S = "chunk#" + i.ToString("D3", CultureInfo.InvariantCulture) },
                    ["chunks"] = new() { N = chunks.Count.ToString(CultureInfo.InvariantCulture) },
                    ["data"] = new() { B = new MemoryStream(chunks[i].ToArray()) },
                    [TableSchema.ExpiresAt] = new() { N = (now + retention).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
                },
            }, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The body reassembled, or null if it is not (or no longer) parked.</summary>
    public async Task<byte[]?> GetAsync(string sha256, CancellationToken ct)
    {
        // A body near the 1 MiB SQS limit, with item overhead, can exceed one 1 MB Query page.
        var items = (await dynamo.QueryAllAsync(new QueryRequest
        {
            TableName = tableName,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":pk"] = new() { S = "DLQBODY#" + sha256 } },
            ConsistentRead = true,
        }, ct).ConfigureAwait(false)).OrderBy(i => i[TableSchema.SortKey].S, StringComparer.Ordinal).ToList();
        if (items.Count == 0 || items.Count != int.Parse(items[0]["chunks"].N, CultureInfo.InvariantCulture))
        {
            return null;
        }

        using var body = new MemoryStream();
        foreach (var item in items)
        {
            item["data"].B.Position = 0;
            await item["data"].B.CopyToAsync(body, ct).ConfigureAwait(false);
        }

        return body.ToArray();
    }
}
