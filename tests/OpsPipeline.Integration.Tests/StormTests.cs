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
        var alarm = AlarmEvents.StateChange("checkout-api-5xx", "ALARM", AlarmEvents.T0, id: "evt-units");

        var (summary, outbound, _, err) = await TestConfig.RunAsync([alarm, alarm], TestConfig.AlarmsOnly());

        Assert.True(summary.ExecutionsFailed == 0, err);
        Assert.Single(outbound); // the SDK read every rewritten answer correctly: one trigger, one duplicate
        var ops = summary.DynamoByOperation;
        var puts = ops.GetValueOrDefault("PutItem");
        Assert.Equal(1, puts);
        var (read, write, _) = summary.DynamoUnits;

        // Every read and every write costs at least one unit, and an alert item is more than 1 KB but not 4.
        Assert.InRange(read, ops.GetValueOrDefault("GetItem") + ops.GetValueOrDefault("BatchGetItem") + ops.GetValueOrDefault("Query"), double.MaxValue);
        Assert.InRange(write, 2, 3);
    }
}
