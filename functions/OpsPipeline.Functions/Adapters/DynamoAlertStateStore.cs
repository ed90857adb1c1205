using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Functions.Adapters;

/// <summary>Alert state in the pipeline table: pk = ALERT#{key}, sk = STATE; TTL (expiresAt) is garbage collection only.</summary>
public sealed class DynamoAlertStateStore(IAmazonDynamoDB dynamo, string tableName) : IAlertStateStore
{
    private const string StateSortKey = "STATE";

    public static string PartitionKey(string alertKey) => "ALERT#" + alertKey;

    public async Task<AlertState?> GetAsync(string alertKey, CancellationToken ct)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = tableName,
            Key = KeyOf(alertKey),
            ConsistentRead = true,
        }, ct).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? FromItem(item) : null;
    }

    public async Task<bool> TryWriteAsync(AlertState state, long expectedVersion, CancellationToken ct)
    {
        var request = new PutItemRequest
        {
            TableName = tableName,
            Item = ToItem(state),
            ConditionExpression = expectedVersion == 0 ? "attribute_not_exists(pk)" : "version = :expected",
        };
        if (expectedVersion != 0)
        {
            request.ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":expected"] = new() { N = expectedVersion.ToString(CultureInfo.InvariantCulture) },
            };
        }

        try
        {
            await dynamo.PutItemAsync(request, ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static Dictionary<string, AttributeValue> KeyOf(string alertKey) => new()
    {
        ["pk"] = new() { S = PartitionKey(alertKey) },
        ["sk"] = new() { S = StateSortKey },
    };

    internal static Dictionary<string, AttributeValue> ToItem(AlertState s)
    {
        var item = KeyOf(s.Key);
        item["alertKey"] = new() { S = s.Key };
        item["state"] = new() { S = s.State };
        item["stateTimestamp"] = new() { S = s.StateTimestamp.ToString("O", CultureInfo.InvariantCulture) };
        item["eventIds"] = new() { L = s.RecentEventIds.Select(id => new AttributeValue { S = id }).ToList() };
        item["lastDecision"] = new() { S = s.LastDecision };
        item["lastReason"] = new() { S = s.LastReason };
        item["version"] = new() { N = s.Version.ToString(CultureInfo.InvariantCulture) };
        item["updatedAt"] = new() { S = s.UpdatedAt.ToString("O", CultureInfo.InvariantCulture) };
        item["expiresAt"] = new() { N = s.UpdatedAt.Add(AlertDecider.StateRetention).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) };
        if (s.NotifiedStatus is { } notified)
        {
            item["notified"] = new() { S = notified.ToString() };
        }

        if (s.AlertJson is not null)
        {
            item["alert"] = new() { S = s.AlertJson };
        }

        return item;
    }

    internal static AlertState FromItem(Dictionary<string, AttributeValue> item) => new()
    {
        Key = item["alertKey"].S,
        State = item["state"].S,
        StateTimestamp = DateTimeOffset.Parse(item["stateTimestamp"].S, CultureInfo.InvariantCulture),
        NotifiedStatus = item.TryGetValue("notified", out var n) && Enum.TryParse<AlertStatus>(n.S, out var status) ? status : null,
        RecentEventIds = item.TryGetValue("eventIds", out var ids) && ids.L is not null ? ids.L.Select(v => v.S).ToList() : [],
        LastDecision = item["lastDecision"].S,
        LastReason = item["lastReason"].S,
        AlertJson = item.TryGetValue("alert", out var a) ? a.S : null,
        Version = long.Parse(item["version"].N, CultureInfo.InvariantCulture),
        UpdatedAt = DateTimeOffset.Parse(item["updatedAt"].S, CultureInfo.InvariantCulture),
    };
}
