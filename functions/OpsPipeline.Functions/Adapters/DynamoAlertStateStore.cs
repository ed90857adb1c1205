using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// Alert state in the pipeline table: pk = ALERT#{key}, sk = STATE. Items that need the Tick carry
/// dueShard/dueAt, projected into the sparse "due" index. Firing inhibition sources live in one item
/// (pk = INHIBIT, sk = SOURCES) so a target reads them in the same BatchGetItem as its own state.
/// TTL (expiresAt) is garbage collection only. An alert item keeps named only its key, version (the write's
/// condition), TTL and due index attributes; the rest is packed into one attribute (<see cref="PackedAttributes"/>).
/// </summary>
public sealed class DynamoAlertStateStore(IAmazonDynamoDB dynamo, string tableName, string? drill = null) : IAlertStateStore
{
    private const string StateSortKey = "STATE";
    private const string AlertShard = "DUE";

    /// <summary>The same store for one recovery drill: its alert state lives apart (pk DRILL#{name}#ALERT#…) and never enters the due index.</summary>
    public IAlertStateStore ForDrill(string replayName) => new DynamoAlertStateStore(dynamo, tableName, replayName);

    private string PartitionKey(string alertKey) => (drill is null ? "ALERT#" : $"DRILL#{drill}#ALERT#") + alertKey;

    public async Task<(AlertState? State, IReadOnlyList<InhibitionSource> Sources)> GetAsync(string alertKey, bool withSources, CancellationToken ct)
    {
        var read = await ReadAsync(alertKey, withSources, [], ct).ConfigureAwait(false);
        return (read.State, read.Sources);
    }

    public async Task<AlertRead> ReadAsync(string alertKey, bool withSources, IReadOnlyList<string> groupIds, CancellationToken ct)
    {
        if (!withSources && groupIds.Count == 0)
        {
            var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(alertKey), ConsistentRead = true }, ct).ConfigureAwait(false);
            return new AlertRead(response.Item is { Count: > 0 } item ? FromItem(item) : null, [], NoGroups);
        }

        List<Dictionary<string, AttributeValue>> keys = [KeyOf(alertKey), .. groupIds.Select(GroupKeyOf)];
        if (withSources)
        {
            keys.Add(SourcesKey());
        }

        var batch = await dynamo.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new Dictionary<string, KeysAndAttributes> { [tableName] = new() { Keys = keys, ConsistentRead = true } },
        }, ct).ConfigureAwait(false);
        if (batch.UnprocessedKeys is { Count: > 0 })
        {
            // Throttled part of the batch: fail the invocation so the state machine retries it whole.
            throw new StateConflictException($"alert {alertKey}: read throttled (unprocessed keys)");
        }

        AlertState? state = null;
        IReadOnlyList<InhibitionSource> sources = [];
        var notified = new Dictionary<string, GroupNotice>(StringComparer.Ordinal);
        foreach (var item in batch.Responses?.GetValueOrDefault(tableName) ?? [])
        {
            var pk = item[TableSchema.PartitionKey].S;
            if (pk == "INHIBIT")
            {
                sources = SourcesFrom(item);
            }
            else if (pk.StartsWith(GroupPrefix, StringComparison.Ordinal))
            {
                DateTimeOffset? Time(string name) => item.TryGetValue(name, out var v) && v.S is { } t ? DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;
                notified[item["group"].S] = new GroupNotice(Time("notifiedAt"), Time("anchor"));
            }
            else
            {
                state = FromItem(item);
            }
        }

        return new AlertRead(state, sources, notified);
    }

    private const string GroupPrefix = "GROUP#";

    /// <summary>A group's record lives as long as the alert states whose notification log it mirrors (TTL is GC only).</summary>
    private static readonly TimeSpan GroupNoticeRetention = StateChanges.StateRetention;

    private static readonly IReadOnlyDictionary<string, GroupNotice> NoGroups = new Dictionary<string, GroupNotice>();

    /// <summary>A group's item: its id hashed (group keys hold label values of any length), pk = GROUP#{sha256}.</summary>
    private static Dictionary<string, AttributeValue> GroupKeyOf(string groupId) => new()
    {
        [TableSchema.PartitionKey] = new() { S = GroupPrefix + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(groupId))) },
        [TableSchema.SortKey] = new() { S = "NOTICE" },
    };

    /// <summary>
    /// Per group, each request idempotent: the members told firing (a string set of their keys' hashes), with the grid
    /// started if absent when members join, and the ones it names (a list, written whole with the first of those
    /// requests); the last notice (the later wins); the grid removed when no member is left. A tick writing the same
    /// group meanwhile cannot make a condition here wrong, only redundant.
    /// </summary>
    public async Task NoteGroupsAsync(IReadOnlyList<GroupUpdate> updates, CancellationToken ct)
    {
        foreach (var update in updates)
        {
            if (update.Told.Count > 0)
            {
                var join = GroupRequest(update, "ADD told :members", update.GridStart is null ? null : "anchor = if_not_exists(anchor, :start)", null);
                join.ExpressionAttributeValues[":members"] = Members(update.Told);
                if (update.GridStart is { } start)
                {
                    join.ExpressionAttributeValues[":start"] = new() { S = SortableTime(start) };
                }

                await dynamo.UpdateItemAsync(WithNamed(join, update), ct).ConfigureAwait(false);
            }

            var left = new Dictionary<string, AttributeValue>();
            if (update.Untold.Count > 0)
            {
                var leave = GroupRequest(update, "DELETE told :members", null, null);
                leave.ExpressionAttributeValues[":members"] = Members(update.Untold);
                if (update.Told.Count == 0)
                {
                    leave = WithNamed(leave, update);
                }

                leave.ReturnValues = ReturnValue.ALL_NEW;
                left = (await dynamo.UpdateItemAsync(leave, ct).ConfigureAwait(false)).Attributes ?? left;
            }

            if (update.Sent)
            {
                var notice = GroupRequest(update, null, "notifiedAt = :at", "attribute_not_exists(notifiedAt) OR notifiedAt < :at");
                notice.ExpressionAttributeValues[":at"] = new() { S = SortableTime(update.At) };
                await TryUpdateAsync(notice, ct).ConfigureAwait(false);
            }

            if (update.Untold.Count > 0 && !left.ContainsKey("told") && left.ContainsKey("anchor"))
            {
                // No member is told firing any more: the group's episode, and its grid, end.
                await TryUpdateAsync(GroupRequest(update, "REMOVE anchor", null, "attribute_not_exists(told)"), ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One request on a group's record, which it also keeps readable (its id) and alive (its TTL).</summary>
    private UpdateItemRequest GroupRequest(GroupUpdate update, string? clause, string? set, string? condition) => new()
    {
        TableName = tableName,
        Key = GroupKeyOf(update.GroupId),
        UpdateExpression = (clause is null ? string.Empty : clause + " ") + "SET #group = :group, #ttl = :ttl" + (set is null ? string.Empty : ", " + set),
        ConditionExpression = condition,
        ExpressionAttributeNames = new Dictionary<string, string> { ["#group"] = "group", ["#ttl"] = TableSchema.ExpiresAt },
        ExpressionAttributeValues = new Dictionary<string, AttributeValue>
        {
            [":group"] = new() { S = update.GroupId },
            [":ttl"] = Number(update.At.Add(GroupNoticeRetention).ToUnixTimeSeconds()),
        },
    };

    /// <summary>A conditional request whose condition failing means another write already did what it would.</summary>
    private async Task TryUpdateAsync(UpdateItemRequest request, CancellationToken ct)
    {
        try
        {
            await dynamo.UpdateItemAsync(request, ct).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // A later notice is recorded, or a member joined again meanwhile.
        }
    }

    private static AttributeValue Members(IReadOnlyList<string> alertKeys) => new() { SS = [.. alertKeys.Select(GroupNotices.MemberId).Distinct(StringComparer.Ordinal)] };

    /// <summary>
    /// The request also sets the members the record names, when the update says whom: a list of {id, name, severity},
    /// at most 20 (GroupRoster), so the item stays small. Its SET clause is the expression's last.
    /// </summary>
    private static UpdateItemRequest WithNamed(UpdateItemRequest request, GroupUpdate update)
    {
        if (update.Named is { } named)
        {
            request.UpdateExpression += ", #named = :named";
            request.ExpressionAttributeNames["#named"] = "named";
            request.ExpressionAttributeValues[":named"] = new()
            {
                L = [.. named.Select(m => new AttributeValue
                {
                    M = new Dictionary<string, AttributeValue> { ["id"] = new() { S = m.Id }, ["name"] = new() { S = m.Name }, ["severity"] = new() { S = m.Severity } },
                })],
            };
        }

        return request;
    }

    public async Task<IReadOnlyDictionary<string, GroupMembers>> GroupMembersAsync(IReadOnlyList<string> groupIds, CancellationToken ct)
    {
        var items = await dynamo.BatchGetAllAsync(tableName, [.. groupIds.Distinct(StringComparer.Ordinal).Select(GroupKeyOf)], ct).ConfigureAwait(false);
        var groups = new Dictionary<string, GroupMembers>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var told = item.TryGetValue("told", out var t) && t.SS is { } ids ? ids.ToHashSet(StringComparer.Ordinal) : [];
            var named = item.TryGetValue("named", out var n) && n.L is { } list
                ? list.Where(v => v.M is not null).Select(v => new FiringMember(v.M["id"].S, v.M["name"].S, v.M["severity"].S)).ToList()
                : [];
            groups[item["group"].S] = new GroupMembers(told, named);
        }

        return groups;
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
            request.ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":expected"] = Number(expectedVersion) };
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

    public async Task UpdateSourceAsync(SourceUpdate update, CancellationToken ct)
    {
        // A source that stops firing stays as a tombstone (firing = false) with its transition time, so that an older
        // transition written late (a Decide that wrote this before losing its commit to a newer event) never wins.
        var request = new UpdateItemRequest
        {
            TableName = tableName,
            Key = SourcesKey(),
            UpdateExpression = "SET sources.#k = :v",
            // An entry written before transition times were kept has none: any timed update replaces it.
            ConditionExpression = "attribute_not_exists(sources.#k) OR attribute_not_exists(sources.#k.#at) OR sources.#k.#at < :at",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#k"] = update.Source.AlertKey, ["#at"] = "at" },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":v"] = new()
                {
                    M = new Dictionary<string, AttributeValue>
                    {
                        ["name"] = new() { S = update.Source.Name },
                        ["labels"] = Labels(update.Source.Labels),
                        ["firing"] = new() { BOOL = update.Firing },
                        ["at"] = new() { S = SortableTime(update.At) },
                    },
                },
                [":at"] = new() { S = SortableTime(update.At) },
            },
        };
        try
        {
            await dynamo.UpdateItemAsync(request, ct).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // A later transition of this source is already recorded: it wins.
        }
        catch (AmazonDynamoDBException e) when (e.ErrorCode == "ValidationException")
        {
            // First source ever: the map does not exist yet. Create it (if nobody else just did), then set.
            try
            {
                await dynamo.PutItemAsync(new PutItemRequest
                {
                    TableName = tableName,
                    Item = new Dictionary<string, AttributeValue>(SourcesKey()) { ["sources"] = new() { M = [] } },
                    ConditionExpression = "attribute_not_exists(pk)",
                }, ct).ConfigureAwait(false);
            }
            catch (ConditionalCheckFailedException)
            {
            }

            try
            {
                await dynamo.UpdateItemAsync(request, ct).ConfigureAwait(false);
            }
            catch (ConditionalCheckFailedException)
            {
            }
        }
    }

    public async Task<IReadOnlyList<InhibitionSource>> SourcesAsync(CancellationToken ct)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = SourcesKey(), ConsistentRead = true }, ct).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? SourcesFrom(item) : [];
    }

    public async Task<IReadOnlyList<AlertState>> DueAsync(DateTimeOffset until, CancellationToken ct)
    {
        // The index holds keys only (a write to a due alert then costs the index one unit, not the item's
        // size again); the items themselves are read consistently, so an index entry that lags a write that
        // just moved or cleared dueAt is seen for what it is and skipped.
        var keys = await new DueShard(dynamo, tableName, AlertShard).KeysDueAsync(until, ct).ConfigureAwait(false);
        var items = await dynamo.BatchGetAllAsync(tableName, keys, ct).ConfigureAwait(false);
        return [.. items.Select(FromItem).Where(s => s.DueAt is { } due && due <= until).OrderBy(s => s.DueAt)];
    }

    public async Task<IReadOnlyList<AlertState>> AllAsync(CancellationToken ct) =>
        [.. (await dynamo.ScanAllAsync(new ScanRequest
        {
            TableName = tableName,
            FilterExpression = "sk = :state AND begins_with(pk, :prefix)",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":state"] = new() { S = StateSortKey },
                [":prefix"] = new() { S = PartitionKey(string.Empty) },
            },
        }, ct).ConfigureAwait(false)).Select(FromItem)];

    private Dictionary<string, AttributeValue> KeyOf(string alertKey) => new()
    {
        [TableSchema.PartitionKey] = new() { S = PartitionKey(alertKey) },
        [TableSchema.SortKey] = new() { S = StateSortKey },
    };

    private static Dictionary<string, AttributeValue> SourcesKey() => new()
    {
        [TableSchema.PartitionKey] = new() { S = "INHIBIT" },
        [TableSchema.SortKey] = new() { S = "SOURCES" },
    };

    /// <summary>The firing sources (tombstones of sources that stopped firing are left out).</summary>
    private static List<InhibitionSource> SourcesFrom(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue("sources", out var m) && m.M is not null
            ? [.. m.M.Where(kv => !kv.Value.M.TryGetValue("firing", out var f) || f.BOOL != false).Select(kv => new InhibitionSource(kv.Key, kv.Value.M["name"].S, LabelsFrom(kv.Value.M["labels"])))]
            : [];

    /// <summary>ISO-8601 UTC with fixed width, so string order is time order in the index.</summary>
    internal static string SortableTime(DateTimeOffset t) => StoredTime.Format(t);

    private static AttributeValue Number(long n) => new() { N = n.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Labels(IReadOnlyDictionary<string, string> labels) =>
        new() { M = labels.ToDictionary(l => l.Key, l => new AttributeValue { S = l.Value }) };

    private static SortedDictionary<string, string> LabelsFrom(AttributeValue value) =>
        new((value.M ?? []).ToDictionary(l => l.Key, l => l.Value.S), StringComparer.Ordinal);

    /// <summary>
    /// What DynamoDB or a request reads by name on an alert item: its key, the version TryWriteAsync's condition
    /// tests, the TTL and the due index's keys. Everything else is only ever read whole, by <see cref="FromItem"/>.
    /// </summary>
    private static readonly HashSet<string> NamedAttributes = new(StringComparer.Ordinal)
    {
        TableSchema.PartitionKey, TableSchema.SortKey, "version", TableSchema.ExpiresAt, TableSchema.DueShard, TableSchema.DueAt,
    };

    internal Dictionary<string, AttributeValue> ToItem(AlertState s) => PackedAttributes.Pack(ToNamedItem(s), NamedAttributes);

    /// <summary>The item with every attribute named (how it was stored before packing, and what FromItem reads).</summary>
    private Dictionary<string, AttributeValue> ToNamedItem(AlertState s)
    {
        var item = KeyOf(s.Key);
        item["alertKey"] = new() { S = s.Key };
        item["state"] = new() { S = s.State.Wire() };
        item["stateTimestamp"] = new() { S = SortableTime(s.StateTimestamp) };
        item["eventIds"] = new() { L = [.. s.RecentEventIds.Select(id => new AttributeValue { S = id })] };
        item["lastDecision"] = new() { S = s.LastDecision };
        item["lastReason"] = new() { S = s.LastReason };
        item["version"] = Number(s.Version);
        item["updatedAt"] = new() { S = SortableTime(s.UpdatedAt) };
        item[TableSchema.ExpiresAt] = Number(s.UpdatedAt.Add(StateChanges.StateRetention).ToUnixTimeSeconds());
        item["changes"] = new() { L = [.. s.Changes.Select(t => new AttributeValue { S = SortableTime(t) })] };
        if (s.RecentSends.Count > 0)
        {
            item["sent"] = new() { L = [.. s.RecentSends.Select(t => new AttributeValue { S = SortableTime(t) })] };
        }
        item["pending"] = new()
        {
            L = [.. s.Pending.Select(p => new AttributeValue
            {
                M = new Dictionary<string, AttributeValue>
                {
                    ["routeId"] = new() { S = p.RouteId },
                    ["groupKey"] = new() { S = p.GroupKey },
                    ["receiver"] = new() { S = p.Receiver },
                    ["dueAt"] = new() { S = SortableTime(p.DueAt) },
                    ["action"] = new() { S = p.Action },
                },
            })],
        };
        if (s.Flapping)
        {
            item["flapping"] = new() { BOOL = true };
        }

        if (s.NotifiedStatus is { } notified)
        {
            item["notified"] = new() { S = notified.ToString() };
        }

        if (s.LastKnownStatus is { } lastKnown)
        {
            item["lastKnown"] = new() { S = lastKnown.ToString() };
        }

        if (s.AlertJson is not null)
        {
            item["alert"] = new() { S = s.AlertJson };
        }

        if (s.LastNotifiedAt is { } lastNotified)
        {
            item["lastNotifiedAt"] = new() { S = SortableTime(lastNotified) };
        }

        if (s.ToldFiring.Count > 0)
        {
            item["told"] = new() { L = [.. s.ToldFiring.Select(r => new AttributeValue { S = r })] };
        }

        if (s.ReactionRuns.Count > 0)
        {
            item["reactions"] = new()
            {
                L = [.. s.ReactionRuns.Select(r => new AttributeValue
                {
                    M = new Dictionary<string, AttributeValue>
                    {
                        ["name"] = new() { S = r.Name },
                        ["transitionAt"] = new() { S = SortableTime(r.TransitionAt) },
                        ["ranAt"] = new() { S = SortableTime(r.RanAt) },
                    },
                })],
            };
        }

        if (s.History.Count > 0)
        {
            // Bounded by DecisionHistory (10 records, cut reasons): the item stays far below DynamoDB's 400 KB.
            item["history"] = new() { L = [.. s.History.Select(HistoryItem)] };
        }

        if (s.Suppressed is { } muted)
        {
            item["suppressed"] = new()
            {
                M = new Dictionary<string, AttributeValue>
                {
                    ["kind"] = new() { S = muted.Kind.ToString() },
                    ["id"] = new() { S = muted.Id },
                    ["until"] = new() { S = SortableTime(muted.Until) },
                    ["detail"] = new() { S = muted.Detail },
                },
            };
        }

        if (s.Dlq is { } tally)
        {
            item["dlqCount"] = Number(tally.Count);
            item["dlqFirstSeen"] = new() { S = SortableTime(tally.FirstSeen) };
            item["dlqLastSeen"] = new() { S = SortableTime(tally.LastSeen) };
            item["dlqUnreported"] = Number(tally.Unreported);
        }

        if (s.DueAt is { } due && drill is null)
        {
            // Sparse index: only items with time-based work left are in it.
            item[TableSchema.DueShard] = new() { S = AlertShard };
            item[TableSchema.DueAt] = new() { S = SortableTime(due) };
        }

        return item;
    }

    private static AttributeValue HistoryItem(DecisionRecord r)
    {
        var m = new Dictionary<string, AttributeValue>
        {
            ["at"] = new() { S = SortableTime(r.At) },
            ["on"] = new() { S = r.On },
            ["decision"] = new() { S = r.Decision },
            ["reason"] = new() { S = r.Reason },
        };
        if (r.Told.Count > 0)
        {
            m["told"] = new() { L = [.. r.Told.Select(t => new AttributeValue { S = t })] };
        }

        if (r.MutedBy is { } muted)
        {
            m["muted"] = new() { S = muted };
        }

        return new AttributeValue { M = m };
    }

    /// <summary>An alert item, packed or (written before packing) with every attribute named.</summary>
    /// <exception cref="InvalidDataException">The item is corrupt: its packed attribute unreadable, or a required attribute missing.</exception>
    internal static AlertState FromItem(Dictionary<string, AttributeValue> item)
    {
        var named = PackedAttributes.Unpack(item);
        try
        {
            return FromNamedItem(named);
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidDataException($"alert item {PackedAttributes.KeyText(item)}: {e.Message}", e);
        }
    }

    private static AlertState FromNamedItem(Dictionary<string, AttributeValue> item)
    {
        string? Text(string name) => item.TryGetValue(name, out var v) ? v.S : null;
        DateTimeOffset Time(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return new AlertState
        {
            Key = item["alertKey"].S,
            State = AlarmStates.Parse(item["state"].S),
            StateTimestamp = Time(item["stateTimestamp"].S),
            NotifiedStatus = Text("notified") is { } n && Enum.TryParse<AlertStatus>(n, out var status) ? status : null,
            LastKnownStatus = Text("lastKnown") is { } k && Enum.TryParse<AlertStatus>(k, out var known) ? known : null,
            RecentEventIds = item.TryGetValue("eventIds", out var ids) && ids.L is not null ? [.. ids.L.Select(v => v.S)] : [],
            LastDecision = item["lastDecision"].S,
            LastReason = item["lastReason"].S,
            AlertJson = Text("alert"),
            Version = long.Parse(item["version"].N, CultureInfo.InvariantCulture),
            UpdatedAt = Time(item["updatedAt"].S),
            Changes = item.TryGetValue("changes", out var c) && c.L is not null ? [.. c.L.Select(v => Time(v.S))] : [],
            RecentSends = item.TryGetValue("sent", out var sent) && sent.L is not null ? [.. sent.L.Select(v => Time(v.S))] : [],
            Flapping = item.TryGetValue("flapping", out var f) && f.BOOL == true,
            LastNotifiedAt = Text("lastNotifiedAt") is { } ln ? Time(ln) : null,
            ToldFiring = item.TryGetValue("told", out var told) && told.L is not null ? [.. told.L.Select(v => v.S)] : [],
            ReactionRuns = item.TryGetValue("reactions", out var runs) && runs.L is not null
                ? [.. runs.L.Select(v => new ReactionRun(v.M["name"].S, Time(v.M["transitionAt"].S), Time(v.M["ranAt"].S)))]
                : [],
            History = item.TryGetValue("history", out var h) && h.L is not null
                ? [.. h.L.Where(v => v.M is not null).Select(v => new DecisionRecord(
                    Time(v.M["at"].S), v.M["on"].S, v.M["decision"].S, v.M["reason"].S,
                    v.M.TryGetValue("told", out var t) && t.L is not null ? [.. t.L.Select(r => r.S)] : [],
                    v.M.TryGetValue("muted", out var mb) ? mb.S : null))]
                : [],
            Suppressed = item.TryGetValue("suppressed", out var m) && m.M is { } mute
                ? new Suppression(Enum.Parse<SuppressionKind>(mute["kind"].S), mute["id"].S, Time(mute["until"].S), mute["detail"].S)
                : null,
            Pending = item.TryGetValue("pending", out var p) && p.L is not null
                ? [.. p.L.Select(v => new PendingNotification(v.M["routeId"].S, v.M["groupKey"].S, v.M["receiver"].S, Time(v.M["dueAt"].S), v.M.TryGetValue("action", out var a) ? a.S : DeliveryActions.Trigger))]
                : [],
            DueAt = Text(TableSchema.DueAt) is { } d ? Time(d) : null,
            Dlq = item.TryGetValue("dlqCount", out var dc)
                ? new DlqTally(long.Parse(dc.N, CultureInfo.InvariantCulture), Time(item["dlqFirstSeen"].S), Time(item["dlqLastSeen"].S), long.Parse(item["dlqUnreported"].N, CultureInfo.InvariantCulture))
                : null,
        };
    }
}
