using System.IO.Compression;
using Amazon.DynamoDBv2.Model;
using OpsCtl.Local;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Functions.Adapters;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// The alert item on the table: named only what requests read by name (key, version, TTL, due index), the rest packed
/// into one Brotli attribute; items an older pipeline wrote (every attribute named) still read, and are packed on their next write.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AlertItemFormatTests : IAsyncLifetime
{
    private const string Key = "123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx";

    private LocalStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await LocalStack.StartAsync(new LocalStackOptions { Config = TestConfig.AlarmsOnly(), Clock = TimeProvider.System }, CancellationToken.None);

    public Task DisposeAsync() => _stack.DisposeAsync().AsTask();

    private DynamoAlertStateStore Store => new(_stack.Dynamo, LocalStack.TableName);

    private static AttributeValue S(string s) => new() { S = s };

    private static AttributeValue L(params string[] items) => new() { L = [.. items.Select(S)] };

    private static AttributeValue M(params (string Name, AttributeValue Value)[] entries) => new() { M = entries.ToDictionary(e => e.Name, e => e.Value) };

    /// <summary>An alert item as the pipeline wrote it before packing: every attribute named.</summary>
    private static Dictionary<string, AttributeValue> NamedItem() => new()
    {
        ["pk"] = S("ALERT#" + Key),
        ["sk"] = S("STATE"),
        ["alertKey"] = S(Key),
        ["state"] = S("ALARM"),
        ["stateTimestamp"] = S("2026-03-02T09:00:00.000Z"),
        ["eventIds"] = L("evt-1", "evt-2"),
        ["lastDecision"] = S("suppressed"),
        ["lastReason"] = S("suppressed: silenced by s-1"),
        ["version"] = new() { N = "4" },
        ["updatedAt"] = S("2026-03-02T09:01:00.000Z"),
        ["expiresAt"] = new() { N = "1780000000" },
        ["changes"] = L("2026-03-02T09:00:00.000Z"),
        ["sent"] = L("2026-03-02T08:30:00.000Z"),
        ["pending"] = new() { L = [M(("routeId", S("root/0")), ("groupKey", S("{service=\"checkout\"}")), ("receiver", S("team")), ("dueAt", S("2026-03-02T09:05:00.000Z")), ("action", S("trigger")))] },
        ["notified"] = S("Firing"),
        ["lastKnown"] = S("Firing"),
        ["alert"] = S("{\"id\":\"evt-2\"}"),
        ["lastNotifiedAt"] = S("2026-03-02T08:30:00.000Z"),
        ["told"] = L("oncall"),
        ["reactions"] = new() { L = [M(("name", S("restart")), ("transitionAt", S("2026-03-02T08:29:00.000Z")), ("ranAt", S("2026-03-02T08:29:01.000Z")))] },
        ["history"] = new() { L = [M(("at", S("2026-03-02T09:00:00.000Z")), ("on", S("ALARM at 2026-03-02T09:00:00Z (event evt-2)")), ("decision", S("suppressed")), ("reason", S("suppressed: silenced by s-1")), ("told", L("oncall")), ("muted", S("silenced by s-1")))] },
        ["suppressed"] = M(("kind", S("Silence")), ("id", S("s-1")), ("until", S("2026-03-02T09:10:00.000Z")), ("detail", S("{alarmName=checkout-api-5xx} by alice"))),
        ["dlqCount"] = new() { N = "3" },
        ["dlqFirstSeen"] = S("2026-03-02T08:00:00.000Z"),
        ["dlqLastSeen"] = S("2026-03-02T08:59:00.000Z"),
        ["dlqUnreported"] = new() { N = "1" },
        ["dueShard"] = S("DUE"),
        ["dueAt"] = S("2026-03-02T09:05:00.000Z"),
    };

    /// <summary>Every field of a state, one line each, lists element-wise (a record compares its lists by reference).</summary>
    private static string Described(AlertState s) => string.Join("\n", [
        $"key {s.Key}",
        $"state {s.State.Wire()} at {T(s.StateTimestamp)}, notified {s.NotifiedStatus}, last known {s.LastKnownStatus}, flapping {s.Flapping}",
        $"events {string.Join(",", s.RecentEventIds)}",
        $"last {s.LastDecision}: {s.LastReason}",
        $"alert {s.AlertJson}",
        $"version {s.Version}, updated {T(s.UpdatedAt)}, due {(s.DueAt is { } d ? T(d) : "-")}",
        $"changes {string.Join(",", s.Changes.Select(T))}; sends {string.Join(",", s.RecentSends.Select(T))}; last notified {(s.LastNotifiedAt is { } n ? T(n) : "-")}",
        $"muted {(s.Suppressed is { } m ? $"{m.Kind} {m.Id} until {T(m.Until)}: {m.Detail}" : "-")}",
        $"told {string.Join(",", s.ToldFiring)}",
        $"pending {string.Join(",", s.Pending.Select(p => $"{p.RouteId} {p.GroupKey} {p.Receiver} {T(p.DueAt)} {p.Action}"))}",
        $"dlq {(s.Dlq is { } q ? $"{q.Count} {T(q.FirstSeen)} {T(q.LastSeen)} {q.Unreported}" : "-")}",
        $"reactions {string.Join(",", s.ReactionRuns.Select(r => $"{r.Name} {T(r.TransitionAt)} {T(r.RanAt)}"))}",
        .. s.History.Select(r => $"history {T(r.At)} | {r.On} | {r.Decision} | {r.Reason} | {string.Join("+", r.Told)} | {r.MutedBy}"),
    ]);

    private static string T(DateTimeOffset t) => OpsPipeline.Core.Ports.StoredTime.Format(t);

    private async Task<Dictionary<string, AttributeValue>> RawItemAsync() =>
        (await _stack.Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = LocalStack.TableName,
            Key = new() { ["pk"] = S("ALERT#" + Key), ["sk"] = S("STATE") },
            ConsistentRead = true,
        })).Item;

    [Fact]
    public async Task TryWrite_WhenTheItemWasWrittenWithEveryAttributeNamed_ShouldReadItWhole_AndRewriteItPacked()
    {
        await _stack.Dynamo.PutItemAsync(new PutItemRequest { TableName = LocalStack.TableName, Item = NamedItem() });

        var (old, _) = await Store.GetAsync(Key, withSources: false, default);

        Assert.NotNull(old);
        Assert.Equal(string.Join("\n", [
            $"key {Key}",
            "state ALARM at 2026-03-02T09:00:00.000Z, notified Firing, last known Firing, flapping False",
            "events evt-1,evt-2",
            "last suppressed: suppressed: silenced by s-1",
            "alert {\"id\":\"evt-2\"}",
            "version 4, updated 2026-03-02T09:01:00.000Z, due 2026-03-02T09:05:00.000Z",
            "changes 2026-03-02T09:00:00.000Z; sends 2026-03-02T08:30:00.000Z; last notified 2026-03-02T08:30:00.000Z",
            "muted Silence s-1 until 2026-03-02T09:10:00.000Z: {alarmName=checkout-api-5xx} by alice",
            "told oncall",
            "pending root/0 {service=\"checkout\"} team 2026-03-02T09:05:00.000Z trigger",
            "dlq 3 2026-03-02T08:00:00.000Z 2026-03-02T08:59:00.000Z 1",
            "reactions restart 2026-03-02T08:29:00.000Z 2026-03-02T08:29:01.000Z",
            "history 2026-03-02T09:00:00.000Z | ALARM at 2026-03-02T09:00:00Z (event evt-2) | suppressed | suppressed: silenced by s-1 | oncall | silenced by s-1",
        ]), Described(old));

        // The next write packs it, under the same version condition: a stale version still loses.
        Assert.False(await Store.TryWriteAsync(old with { Version = 5 }, expectedVersion: 3, default));
        Assert.True(await Store.TryWriteAsync(old with { Version = 5 }, expectedVersion: 4, default));

        var raw = await RawItemAsync();
        Assert.Equal(["b", "dueAt", "dueShard", "expiresAt", "pk", "sk", "version"], raw.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("5", "DUE", "2026-03-02T09:05:00.000Z"), (raw["version"].N, raw["dueShard"].S, raw["dueAt"].S));
        Assert.True(raw["b"].B.Length < 600, $"the packed attribute is {raw["b"].B.Length} bytes");
        var (rewritten, _) = await Store.GetAsync(Key, withSources: false, default);
        Assert.Equal(Described(old with { Version = 5 }), Described(rewritten!));
        Assert.Single(await Store.DueAsync(DateTimeOffset.Parse("2026-03-02T09:06:00Z", System.Globalization.CultureInfo.InvariantCulture), default));
    }

    [Fact]
    public async Task TryWrite_WhenTheAlertIsNotDue_ShouldLeaveItOutOfTheDueIndex()
    {
        await _stack.Dynamo.PutItemAsync(new PutItemRequest { TableName = LocalStack.TableName, Item = NamedItem() });
        var (old, _) = await Store.GetAsync(Key, withSources: false, default);

        Assert.True(await Store.TryWriteAsync(old! with { Version = 5, DueAt = null, Pending = [] }, expectedVersion: 4, default));

        Assert.Equal(["b", "expiresAt", "pk", "sk", "version"], (await RawItemAsync()).Keys.Order(StringComparer.Ordinal));
        Assert.Empty(await Store.DueAsync(DateTimeOffset.MaxValue, default));
    }

    public static TheoryData<string, byte[]> CorruptPackings() => new()
    {
        { "not Brotli", [1, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x17] },
        { "Brotli, not a packed attribute set", [1, .. Brotli("not a packed attribute set"u8)] },
        { "an unknown format", [9, .. Brotli("x"u8)] },
        { "empty", [] },
    };

    private static byte[] Brotli(ReadOnlySpan<byte> bytes)
    {
        var output = new byte[BrotliEncoder.GetMaxCompressedLength(bytes.Length)];
        Assert.True(BrotliEncoder.TryCompress(bytes, output, out var written, quality: 5, window: 18));
        return output[..written];
    }

    [Theory]
    [MemberData(nameof(CorruptPackings))]
    public async Task Read_WhenThePackedAttributeIsCorrupt_ShouldFailNamingTheItemsKeyAndTheAttribute(string corruption, byte[] packed)
    {
        var item = NamedItem().Where(a => a.Key is "pk" or "sk" or "version" or "expiresAt").ToDictionary();
        item["b"] = new() { B = new MemoryStream(packed) };
        await _stack.Dynamo.PutItemAsync(new PutItemRequest { TableName = LocalStack.TableName, Item = item });

        var read = await Assert.ThrowsAsync<InvalidDataException>(() => Store.GetAsync(Key, withSources: false, default));
        var all = await Assert.ThrowsAsync<InvalidDataException>(() => Store.AllAsync(default));

        Assert.StartsWith($"item (pk=ALERT#{Key}, sk=STATE): attribute 'b' is not a packed attribute set (", read.Message, StringComparison.Ordinal);
        Assert.True(read.Message.Length < 300, corruption + ": " + read.Message);
        Assert.Equal(read.Message, all.Message);
    }
}
