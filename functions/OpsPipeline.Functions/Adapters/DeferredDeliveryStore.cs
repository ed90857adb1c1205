using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Decisions;

using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// Deliveries put off to a later tick (pk = DEFERRED#{id}, sk = DELIVERY): a receiver asked to wait longer than an
/// execution may last, or the execution had too little time left to try. They sit in the sparse due index under
/// their own shard, so the Tick reads them with one Query and alert work never sees them. The id is the
/// delivery's hash, so deferring the same delivery again overwrites it instead of doubling it.
/// </summary>
public sealed class DeferredDeliveryStore(IAmazonDynamoDB dynamo, string tableName) : IDeferredDeliveries
{
    private const string Shard = "DEFERRED";
    private const string SortKey = "DELIVERY";

    /// <summary>Kept well past any Retry-After we honour; TTL is garbage collection only.</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromDays(2);

    /// <summary>Keeps <paramref name="delivery"/> until <paramref name="retryAt"/> (one PutItem).</summary>
    public Task PutAsync(Delivery delivery, DateTimeOffset retryAt, CancellationToken ct) =>
        dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue>
            {
                [TableSchema.PartitionKey] = new() { S = "DEFERRED#" + IdOf(delivery) },
                [TableSchema.SortKey] = new() { S = SortKey },
                [TableSchema.DueShard] = new() { S = Shard },
                [TableSchema.DueAt] = new() { S = DynamoAlertStateStore.SortableTime(retryAt) },
                ["delivery"] = new() { S = JsonSerializer.Serialize(delivery, FunctionsJsonContext.Default.Delivery) },
                [TableSchema.ExpiresAt] = new() { N = (retryAt + Retention).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
            },
        }, ct);

    private readonly DueShard _due = new(dynamo, tableName, Shard);

    /// <summary>When the earliest deferred delivery is due, if any (for a local run's clock; one Query).</summary>
    public Task<DateTimeOffset?> EarliestAsync(CancellationToken ct) => _due.EarliestAsync(ct);

    /// <summary>A take that did not end in its delete (its tick died between the two) is free again after this.</summary>
    public static readonly TimeSpan TakeLease = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The deliveries due by <paramref name="until"/>: each read consistently, claimed for <paramref name="taker"/> (a
    /// conditional write: free, already this taker's, or its claim older than <see cref="TakeLease"/>), deleted, then
    /// sent through the Map's retries and parking like any delivery. So a duplicated tick execution (another taker)
    /// sends none of them, a retry of the same tick (the same taker, a lost answer included) takes them again, and a
    /// tick that died after its claim leaves them to the next tick once the lease has passed: none is lost.
    /// </summary>
    public async Task<IReadOnlyList<Delivery>> TakeDueAsync(DateTimeOffset until, string taker, CancellationToken ct)
    {
        var keys = await _due.KeysDueAsync(until, ct).ConfigureAwait(false);
        var taken = new List<Delivery>();
        foreach (var key in keys)
        {
            var itemKey = new Dictionary<string, AttributeValue> { [TableSchema.PartitionKey] = key[TableSchema.PartitionKey], [TableSchema.SortKey] = key[TableSchema.SortKey] };
            try
            {
                var item = (await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = itemKey, ConsistentRead = true }, ct).ConfigureAwait(false)).Item;
                if (item?.GetValueOrDefault("delivery")?.S is not { } json || JsonSerializer.Deserialize(json, FunctionsJsonContext.Default.Delivery) is not { } delivery)
                {
                    continue; // taken meanwhile
                }

                if (!await ClaimAsync(itemKey, taker, until, ct).ConfigureAwait(false))
                {
                    continue; // another tick's
                }

                try
                {
                    await dynamo.DeleteItemAsync(new DeleteItemRequest
                    {
                        TableName = tableName,
                        Key = itemKey,
                        ConditionExpression = "takenBy = :taker",
                        ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":taker"] = new() { S = taker } },
                    }, ct).ConfigureAwait(false);
                }
                catch (ConditionalCheckFailedException)
                {
                    // Gone already: this taker's own delete whose answer was lost and retried. Still ours to send.
                }

                taken.Add(delivery);
            }
            catch (AmazonDynamoDBException)
            {
                // Not taken: it stays due, and the next tick takes it. What was taken goes out now.
            }
        }

        return taken;
    }

    private async Task<bool> ClaimAsync(Dictionary<string, AttributeValue> itemKey, string taker, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = itemKey,
                UpdateExpression = "SET takenBy = :taker, takenAt = :now",
                ConditionExpression = "attribute_exists(pk) AND (attribute_not_exists(takenBy) OR takenBy = :taker OR takenAt < :stale)",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":taker"] = new() { S = taker },
                    [":now"] = new() { S = DynamoAlertStateStore.SortableTime(now) },
                    [":stale"] = new() { S = DynamoAlertStateStore.SortableTime(now - TakeLease) },
                },
            }, ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>The same delivery (receiver, action, alert, body) always has the same id.</summary>
    private static string IdOf(Delivery delivery)
    {
        var text = $"{delivery.Receiver}\n{delivery.Channel}\n{delivery.Action}\n{delivery.DedupKey}\n{Encoding.UTF8.GetString(delivery.PayloadUtf8.Span)}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}
