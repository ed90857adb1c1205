using OpsPipeline.Core.Silences;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>Every state that needs the Tick says when (DueAt); states that need nothing say never (null).</summary>
public class DueAtTests
{
    /// <summary>Scenario → expected DueAt as an offset from T0 (null: never).</summary>
    public static TheoryData<string, TimeSpan?> Cases => new()
    {
        { "notified firing: repeat", TimeSpan.FromHours(4) },
        { "grouped: group flush", TimeSpan.FromSeconds(30) },
        { "silenced: silence end", TimeSpan.FromMinutes(45) },
        { "inhibited: re-check", TimeSpan.FromSeconds(10) + TimeSpan.FromMinutes(1) },
        { "flapping: stable window after last change", TimeSpan.FromMinutes(6 + 30) },
        { "resolved", null },
        { "first seen OK", null },
        { "insufficient data", null },
        { "resolved within group wait", null },
        { "resolved while silenced", null },
        { "sendResolved off, resolved", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_WhenStateIsWritten_ShouldSayWhenTheTickIsNeeded(string scenario, TimeSpan? expected)
    {
        var grouped = scenario.StartsWith("grouped", StringComparison.Ordinal) || scenario == "resolved within group wait";
        var run = new InMemoryPipeline(grouped ? DecisionConfigs.Grouped() : DecisionConfigs.Immediate(sendResolved: !scenario.StartsWith("sendResolved off", StringComparison.Ordinal)));
        var alarm = "billing-api-5xx";
        switch (scenario)
        {
            case "notified firing: repeat":
            case "grouped: group flush":
                run.Apply(alarm, "ALARM", T0);
                break;
            case "silenced: silence end":
                run.Silences.Add(new Silence { Id = "s", Matchers = new Dictionary<string, string> { ["service"] = "billing" }, StartsAt = T0, EndsAt = T0.AddMinutes(45), CreatedBy = "dan", Comment = "c" });
                run.Apply(alarm, "ALARM", T0);
                break;
            case "inhibited: re-check":
                run.Apply("checkout-capability", "ALARM", T0);
                alarm = "checkout-api-5xx";
                run.Apply(alarm, "ALARM", T0.AddSeconds(10));
                break;
            case "flapping: stable window after last change":
                for (var i = 0; i < 4; i++)
                {
                    run.Apply(alarm, i % 2 == 0 ? "ALARM" : "OK", T0.AddMinutes(2 * i));
                }

                break;
            case "resolved":
            case "sendResolved off, resolved":
            case "resolved within group wait":
                run.Apply(alarm, "ALARM", T0);
                run.Apply(alarm, "OK", T0.AddSeconds(20));
                break;
            case "resolved while silenced":
                run.Silences.Add(new Silence { Id = "s", Matchers = new Dictionary<string, string> { ["service"] = "billing" }, StartsAt = T0, EndsAt = T0.AddMinutes(45), CreatedBy = "dan", Comment = "c" });
                run.Apply(alarm, "ALARM", T0);
                run.Apply(alarm, "OK", T0.AddSeconds(20));
                break;
            case "first seen OK":
                run.Apply(alarm, "OK", T0);
                break;
            case "insufficient data":
                run.Apply(alarm, "INSUFFICIENT_DATA", T0);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null);
        }

        Assert.Equal(expected is { } offset ? T0 + offset : null, run.State(alarm)!.DueAt);
    }

    [Fact]
    public void Tick_WhenNothingIsDue_ShouldNotEvenPlan()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply("billing-api-5xx", "ALARM", T0);
        run.Apply("billing-api-5xx", "OK", T0.AddMinutes(5));
        run.Apply("billing-db-errors", "INSUFFICIENT_DATA", T0.AddMinutes(6));

        run.AdvanceBy(TimeSpan.FromHours(6));

        Assert.Equal(0, run.TicksWithWork);
    }
}
