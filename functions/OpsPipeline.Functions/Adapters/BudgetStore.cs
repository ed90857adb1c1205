using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>One item per SLO (pk = SLO#{name}, sk = BUDGET), written with a conditional write on its version.</summary>
public sealed class BudgetStore(IAmazonDynamoDB dynamo, string tableName) : IBudgetStore
{
    public async Task<BudgetState> GetAsync(string slo, CancellationToken ct)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(slo), ConsistentRead = true }, ct).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item
            ? JsonSerializer.Deserialize(item["state"].S, BudgetJsonContext.Default.BudgetState)!
            : BudgetState.Empty(slo);
    }

    /// <summary>Writes if the stored version is still the one read (0: absent). False on conflict.</summary>
    public async Task<bool> TryWriteAsync(BudgetState state, CancellationToken ct)
    {
        var expected = state.Version;
        var next = state with { Version = expected + 1 };
        var item = KeyOf(state.Slo);
        item["state"] = new() { S = JsonSerializer.Serialize(next, BudgetJsonContext.Default.BudgetState) };
        item["version"] = new() { N = next.Version.ToString(CultureInfo.InvariantCulture) };
        var request = new PutItemRequest { TableName = tableName, Item = item, ConditionExpression = expected == 0 ? "attribute_not_exists(pk)" : "version = :v" };
        if (expected != 0)
        {
            request.ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":v"] = new() { N = expected.ToString(CultureInfo.InvariantCulture) } };
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

    /// <summary>A conflict means another writer just wrote: read again at once, a few times.</summary>
    private static readonly RetryPolicy ConflictRetry = new(Attempts: 5, Step: TimeSpan.Zero);

    /// <summary>Read, change, conditional write; on a conflict read again (a few times, then fail for the state machine to retry).</summary>
    public Task<BudgetState> UpdateAsync(string slo, Func<BudgetState, BudgetState> change, CancellationToken ct) =>
        ConflictRetry.RunAsync(
            async () =>
            {
                var current = await GetAsync(slo, ct).ConfigureAwait(false);
                var changed = change(current);
                return ReferenceEquals(changed, current) || await TryWriteAsync(changed, ct).ConfigureAwait(false) ? changed : null;
            },
            () => new StateConflictException($"SLO {slo}: budget state changed under {ConflictRetry.Attempts} consecutive writes"),
            ct);

    private static Dictionary<string, AttributeValue> KeyOf(string slo) => new()
    {
        [TableSchema.PartitionKey] = new() { S = "SLO#" + slo },
        [TableSchema.SortKey] = new() { S = "BUDGET" },
    };
}
