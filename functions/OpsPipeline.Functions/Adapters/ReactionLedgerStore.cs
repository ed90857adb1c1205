using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// Each reaction's runs per hour across alerts (pk = REACTION#{name}, sk = the hour), one conditional UpdateItem per
/// run, like the flood guard's counter item; it holds the run ids rather than a number, so a retried decision that
/// counts its run again adds nothing. Kept two hours (TTL is garbage collection only: the hour is in the key).
/// </summary>
public sealed class ReactionLedgerStore(IAmazonDynamoDB dynamo, string tableName) : IReactionLedger
{
    public async Task<bool> TryCountAsync(string reaction, string runId, DateTimeOffset now, int cap, CancellationToken ct)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = new Dictionary<string, AttributeValue>
                {
                    [TableSchema.PartitionKey] = new() { S = "REACTION#" + reaction },
                    [TableSchema.SortKey] = new() { S = now.UtcDateTime.ToString("yyyy-MM-ddTHH", CultureInfo.InvariantCulture) },
                },
                UpdateExpression = "ADD runs :run SET expiresAt = :expires",
                ConditionExpression = "attribute_not_exists(runs) OR size(runs) < :cap OR contains(runs, :id)",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":run"] = new() { SS = [runId] },
                    [":id"] = new() { S = runId },
                    [":cap"] = new() { N = cap.ToString(CultureInfo.InvariantCulture) },
                    [":expires"] = new() { N = (now + TimeSpan.FromHours(2)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
                },
            }, ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }
}
