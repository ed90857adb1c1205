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
}
