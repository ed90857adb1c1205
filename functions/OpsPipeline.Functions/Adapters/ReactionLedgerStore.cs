using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// Each reaction's runs per hour across alerts (pk = REACTION#{name}, sk = the hour), one conditional UpdateItem per
/// run, like the flood guard's counter item; it holds the run ids rather than a number, so a retried decision that
/// counts its run again adds nothing. Kept two hours (TTL is garbage collection only: the hour is in the key).
/// And each run started (pk = RUN#{execution}, sk = RUN), written by the state machine right after the reaction's task
/// (statemachines/alert-pipeline.asl.json, "Record reaction …"), in the due index under its own shard until its
/// outcome is told: one Query a tick, and only when the config has reactions.
/// </summary>
public sealed class ReactionLedgerStore(IAmazonDynamoDB dynamo, string tableName) : IReactionLedger
{
    /// <summary>The due index's shard of reaction runs (the state machine writes it too).</summary>
    public const string RunShard = "REACTION";

    /// <summary>The sort key of a run's item (the state machine writes it too).</summary>
    public const string RunSortKey = "RUN";

    private readonly DueShard _due = new(dynamo, tableName, RunShard);

    /// <summary>When the earliest run is due, if any (for a local run's clock; one Query).</summary>
    public Task<DateTimeOffset?> EarliestRunAsync(CancellationToken ct) => _due.EarliestAsync(ct);

    public async Task<IReadOnlyList<ReactionRunRecord>> RunsDueAsync(DateTimeOffset until, CancellationToken ct)
    {
        var keys = await _due.KeysDueAsync(until, ct).ConfigureAwait(false);
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await dynamo.BatchGetAllAsync(tableName, keys, ct).ConfigureAwait(false);
        return [.. items.Where(i => i.ContainsKey(TableSchema.DueAt) && !i.ContainsKey("told")).Select(FromItem).OrderBy(r => r.StartedAt)];
    }

    public async Task<bool> TryTellOutcomeAsync(ReactionRunRecord run, ReactionOutcome outcome, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = RunKey(run.Execution),
                UpdateExpression = "SET told = :told, toldAt = :now REMOVE dueShard, dueAt",
                ConditionExpression = "attribute_exists(pk) AND attribute_not_exists(told)",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":told"] = new() { S = outcome.Detail is null ? outcome.Word : $"{outcome.Word}: {outcome.Detail}" },
                    [":now"] = new() { S = DynamoAlertStateStore.SortableTime(now) },
                },
            }, ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task CheckAgainAsync(ReactionRunRecord run, DateTimeOffset at, CancellationToken ct)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = RunKey(run.Execution),
                UpdateExpression = "SET dueAt = :at",
                ConditionExpression = "attribute_exists(dueAt) AND attribute_not_exists(told)",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":at"] = new() { S = DynamoAlertStateStore.SortableTime(at) } },
            }, ct).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // Told meanwhile: nothing to look at again.
        }
    }

    public async Task<bool> TryRecordEndAsync(string execution, string recorded, string? error, string? cause, DateTimeOffset now, CancellationToken ct)
    {
        var values = new Dictionary<string, AttributeValue>
        {
            [":recorded"] = new() { S = recorded },
            [":started"] = new() { S = ReactionRecorded.Started },
            [":now"] = new() { S = DynamoAlertStateStore.SortableTime(now) },
        };
        var set = "SET recorded = :recorded, dueAt = :now";
        if (!string.IsNullOrEmpty(error))
        {
            set += ", #error = :error";
            values[":error"] = new() { S = error };
        }

        if (!string.IsNullOrEmpty(cause))
        {
            set += ", cause = :cause";
            values[":cause"] = new() { S = cause.Length > 4000 ? cause[..4000] : cause };
        }

        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = RunKey(execution),
                UpdateExpression = set,
                ConditionExpression = "attribute_exists(pk) AND attribute_not_exists(told) AND recorded = :started",
                ExpressionAttributeNames = string.IsNullOrEmpty(error) ? null : new Dictionary<string, string> { ["#error"] = "error" },
                ExpressionAttributeValues = values,
            }, ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static Dictionary<string, AttributeValue> RunKey(string execution) => new()
    {
        [TableSchema.PartitionKey] = new() { S = "RUN#" + execution },
        [TableSchema.SortKey] = new() { S = RunSortKey },
    };

    private static ReactionRunRecord FromItem(Dictionary<string, AttributeValue> item)
    {
        string? Text(string name) => item.TryGetValue(name, out var v) && v.S is { Length: > 0 } s ? s : null;
        DateTimeOffset Time(string name) => Text(name) is { } t ? DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : DateTimeOffset.MinValue;
        return new ReactionRunRecord
        {
            Execution = item[TableSchema.PartitionKey].S["RUN#".Length..],
            Reaction = Text("reaction") ?? "(unnamed reaction)",
            Kind = Text("kind") ?? string.Empty,
            AlertKey = Text("alertKey") ?? string.Empty,
            Recorded = Text("recorded") ?? ReactionRecorded.Started,
            Handle = Text("handle"),
            Target = Text("target"),
            Error = Text("error"),
            Cause = Text("cause"),
            StartedAt = Time("startedAt"),
            ReportBy = Time("reportBy"),
        };
    }

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
