using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// The flood guard's shared state: how many notifications each receiver got in each minute (pk = RATE#{receiver},
/// sk = the minute, one UpdateItem per delivery), and what was held for it (pk = FLOOD#{receiver}, sk = HELD), in
/// the due index under its own shard so the Tick tells the receiver once, a minute later, how many and why.
/// </summary>
public sealed class FloodGuardStore(IAmazonDynamoDB dynamo, string tableName) : IFloodLedger
{
    private const string Shard = "FLOOD";

    private readonly DueShard _due = new(dynamo, tableName, Shard);

    /// <summary>
    /// Counts one notification to <paramref name="receiver"/> in the minute of <paramref name="now"/>. A capped one
    /// counts only while the minute has room (false: hold it); one that is always sent counts regardless.
    /// </summary>
    public async Task<bool> TryCountAsync(string receiver, DateTimeOffset now, int? cap, CancellationToken ct)
    {
        var request = new UpdateItemRequest
        {
            TableName = tableName,
            Key = new Dictionary<string, AttributeValue>
            {
                [TableSchema.PartitionKey] = new() { S = "RATE#" + receiver },
                [TableSchema.SortKey] = new() { S = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) },
            },
            UpdateExpression = "ADD sent :one SET expiresAt = :expires",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":one"] = new() { N = "1" },
                [":expires"] = new() { N = (now + TimeSpan.FromHours(1)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
            },
        };
        if (cap is { } c)
        {
            request.ConditionExpression = "attribute_not_exists(sent) OR sent < :cap";
            request.ExpressionAttributeValues[":cap"] = new() { N = c.ToString(CultureInfo.InvariantCulture) };
        }

        try
        {
            await dynamo.UpdateItemAsync(request, ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Records <paramref name="count"/> notifications held for <paramref name="receiver"/>; the Tick tells it a minute later.</summary>
    public Task HoldAsync(string receiver, bool forAlert, int count, DateTimeOffset now, CancellationToken ct) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
            Key = Key(receiver),
            UpdateExpression = "ADD #held :n SET since = if_not_exists(since, :now), dueShard = :shard, dueAt = if_not_exists(dueAt, :due)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#held"] = forAlert ? "heldForAlert" : "heldForReceiver" },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":n"] = new() { N = count.ToString(CultureInfo.InvariantCulture) },
                [":now"] = new() { S = DynamoAlertStateStore.SortableTime(now) },
                [":shard"] = new() { S = Shard },
                [":due"] = new() { S = DynamoAlertStateStore.SortableTime(now + TimeSpan.FromMinutes(1)) },
            },
        }, ct);

    /// <summary>A receiver is told what was held at most this often, however long a flood lasts.</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The tallies due by <paramref name="until"/>, each taken with a conditional update (one tick tells it) that
    /// zeroes it and notes when it was told. A tally whose receiver was told less than <see cref="SummaryInterval"/>
    /// ago is not told now: it keeps counting, and comes due again when the interval has passed.
    /// </summary>
    public async Task<IReadOnlyList<FloodTally>> TakeDueAsync(DateTimeOffset until, CancellationToken ct)
    {
        var keys = await _due.KeysDueAsync(until, ct).ConfigureAwait(false);
        var taken = new List<FloodTally>();
        foreach (var key in keys)
        {
            var itemKey = new Dictionary<string, AttributeValue> { [TableSchema.PartitionKey] = key[TableSchema.PartitionKey], [TableSchema.SortKey] = key[TableSchema.SortKey] };
            try
            {
                var old = (await dynamo.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = tableName,
                    Key = itemKey,
                    UpdateExpression = "SET lastTold = :now, heldForAlert = :zero, heldForReceiver = :zero REMOVE dueShard, dueAt, since",
                    ConditionExpression = "attribute_exists(dueAt) AND (attribute_not_exists(lastTold) OR lastTold <= :quiet)",
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":now"] = new() { S = DynamoAlertStateStore.SortableTime(until) },
                        [":zero"] = new() { N = "0" },
                        [":quiet"] = new() { S = DynamoAlertStateStore.SortableTime(until - SummaryInterval) },
                    },
                    ReturnValues = ReturnValue.ALL_OLD,
                    ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                }, ct).ConfigureAwait(false)).Attributes;
                long Count(string name) => old.TryGetValue(name, out var v) ? long.Parse(v.N, CultureInfo.InvariantCulture) : 0;
                if (Count("heldForAlert") + Count("heldForReceiver") > 0)
                {
                    taken.Add(new FloodTally(old[TableSchema.PartitionKey].S["FLOOD#".Length..], Count("heldForAlert"), Count("heldForReceiver"), DateTimeOffset.Parse(old["since"].S, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)));
                }
            }
            catch (ConditionalCheckFailedException e) when (e.Item?.GetValueOrDefault("lastTold")?.S is { } lastTold && e.Item.ContainsKey(TableSchema.DueAt))
            {
                // Told recently: due again once the interval has passed since then (if another tick has not just told it).
                var next = DateTimeOffset.Parse(lastTold, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) + SummaryInterval;
                try
                {
                    await dynamo.UpdateItemAsync(new UpdateItemRequest
                    {
                        TableName = tableName,
                        Key = itemKey,
                        UpdateExpression = "SET dueAt = :next",
                        ConditionExpression = "attribute_exists(dueAt)",
                        ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":next"] = new() { S = DynamoAlertStateStore.SortableTime(next) } },
                    }, ct).ConfigureAwait(false);
                }
                catch (AmazonDynamoDBException)
                {
                    // Stays due as it is: the next tick looks again.
                }
            }
            catch (AmazonDynamoDBException)
            {
                // Another tick told it, or DynamoDB failed: it stays due and the next tick looks again. What was
                // already taken is still told now.
            }
        }

        return taken;
    }

    /// <summary>When the earliest tally is due (for a local run's clock), if any.</summary>
    public Task<DateTimeOffset?> EarliestAsync(CancellationToken ct) => _due.EarliestAsync(ct);

    private static Dictionary<string, AttributeValue> Key(string receiver) => new()
    {
        [TableSchema.PartitionKey] = new() { S = "FLOOD#" + receiver },
        [TableSchema.SortKey] = new() { S = "HELD" },
    };
}
