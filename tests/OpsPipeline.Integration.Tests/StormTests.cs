using OpsCtl;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Integration.Tests;

/// <summary>The storm generator behind `opsctl storm`: reproducible, with the duplicates and reordering it promises.</summary>
public class StormTests
{
    [Fact]
    public void Generate_WhenSeeded_ShouldBeReproducibleWithDuplicatesAndEveryEventValid()
    {
        var first = StormCommand.Generate(alarms: 50, transitions: 5, seed: 7);
        var again = StormCommand.Generate(alarms: 50, transitions: 5, seed: 7);

        Assert.Equal(first.Count, again.Count);
        Assert.InRange(first.Count, 251, 300); // 250 transitions plus roughly 10% sent twice
        var parsed = first.Select(e => EventParser.Parse(e.Json)).ToList();
        Assert.Equal(first.Count - 250, parsed.Count - parsed.Select(p => p.Id).Distinct().Count());
        Assert.Equal(50, parsed.Select(p => p.Resources[0]).Distinct().Count());
    }

    [Fact]
    public async Task DynamoUnits_WhenAnAlarmIsDecidedTwice_ShouldCountWhatTheLocalDynamoDbReportedPerRequest()
    {
        var first = AlarmEvents.StateChange("orders-api-latency", "ALARM", AlarmEvents.T0, id: "evt-first");
        var alarm = AlarmEvents.StateChange("checkout-api-5xx", "ALARM", AlarmEvents.T0.AddSeconds(5), id: "evt-units");

        var (summary, outbound, _, err) = await TestConfig.RunAsync([first, alarm, alarm], TestConfig.AlarmsOnly());

        Assert.True(summary.ExecutionsFailed == 0, err);
        // The SDK read every rewritten answer correctly: the first alarm waits for its group (the Tick sends it
        // at the end of the run), the second triggers once, its copy is a duplicate.
        Assert.Equal(1, summary.Decisions["grouped"]);
        Assert.Equal(1, summary.Decisions["notify"]);
        Assert.Equal(1, summary.Decisions["duplicate"]);
        Assert.Equal(["checkout-api-5xx", "orders-api-latency"], outbound.Select(o => o.AlertKey[(o.AlertKey.LastIndexOf(':') + 1)..]).Order(StringComparer.Ordinal));
        var ops = summary.DynamoByOperation;
        var puts = ops.GetValueOrDefault("PutItem");
        Assert.Equal(3, puts); // two decisions, and the Tick's write of the alert it sent
        var (read, write, _) = summary.DynamoUnits;

        // Counted per invocation on the wire: the first decision also reads the silences (Decide keeps them for
        // 30 s); after that a trigger reads and writes its alert, and the duplicate only reads.
        Assert.Equal((1, 3), summary.DynamoByInvocation["decide:grouped"]);
        Assert.Equal((1, 2), summary.DynamoByInvocation["decide:notify"]);
        Assert.Equal((1, 1), summary.DynamoByInvocation["decide:duplicate"]);
        Assert.Equal(3, summary.DecideMilliseconds.Count); // one time per Decide invocation, for the decision latency
        Assert.All(summary.DecideMilliseconds, ms => Assert.True(ms > 0));

        // Every item read and every write costs at least one unit (a Query that finds nothing may cost none). An alert
        // item packs what no request names into one Brotli attribute, so it is under 1 KB (it was 1 to 3 KB with every
        // attribute named: 10 to 13 units here): one unit per put, 7 in all. The UpdateItems (Deliver's flood-guard
        // counts, the Tick's group record: its members told firing and its last notice) write small items, one unit each.
        var updates = ops.GetValueOrDefault("UpdateItem");
        Assert.InRange(read, ops.GetValueOrDefault("GetItem") + ops.GetValueOrDefault("BatchGetItem"), double.MaxValue);
        Assert.Equal(puts + updates, write);
    }
}
