using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Integration.Tests;

/// <summary>A random stretch of alarm traffic with one write failed on the way: which, and how.</summary>
public sealed record Storm(IReadOnlyList<(string Alarm, string State, int MinutesLater, bool Duplicate, bool Ancient)> Events, int FailWrite, bool Permanent)
{
    public override string ToString() =>
        $"write {FailWrite} fails {(Permanent ? "for good" : "once")}; " + string.Join(", ", Events.Select(e => $"+{e.MinutesLater}m {e.Alarm} {e.State}{(e.Duplicate ? " (dup)" : string.Empty)}{(e.Ancient ? " (year 0001)" : string.Empty)}"));
}

/// <summary>FsCheck generator: 2-9 events over an SLO alarm, an inhibition source and a plain alarm.</summary>
public static class Storms
{
    public static Arbitrary<Storm> Generate() =>
        (from n in Gen.Choose(2, 9)
         from events in (from alarm in Gen.Elements("checkout-api-5xx", "checkout-capability", "inventory-sync-errors")
                         from state in Gen.Elements("ALARM", "ALARM", "OK")
                         from minutes in Gen.Choose(0, 25)
                         from duplicate in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
                         from ancient in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
                         select (alarm, state, minutes, duplicate, ancient)).ArrayOf(n)
         from failWrite in Gen.Choose(1, 25)
         from permanent in Gen.Elements(false, true)
         select new Storm(events, failWrite, permanent)).ToArbitrary();
}

/// <summary>
/// The safety properties, whatever arrives and whichever write fails: every input accounted for, nothing
/// half-applied, and no alert or receiver over the flood caps.
/// </summary>
[Trait("Category", "Integration")]
public class SafetyProperties
{
    private const int AlertPerHour = 3;
    private const int SlackPerMinute = 2;

    private static readonly Lazy<OpsPipeline.Core.Configuration.PipelineConfig> Config = new(() =>
    {
        var sample = TestConfig.Sample();
        return sample with
        {
            Defaults = sample.Defaults with
            {
                RepeatInterval = TimeSpan.FromMinutes(2),
                FloodGuard = new OpsPipeline.Core.Configuration.FloodGuardConfig
                {
                    AlertPerHour = AlertPerHour,
                    ReceiverPerMinute = new Dictionary<string, int>(StringComparer.Ordinal) { ["pagerduty"] = 5, ["slack"] = SlackPerMinute, ["webhook"] = 5, ["sns"] = 5 },
                },
            },
            Route = sample.Route with { RepeatInterval = TimeSpan.FromMinutes(2) },
        };
    });

    private static List<string> Events(Storm storm)
    {
        var events = new List<string>();
        var at = T0;
        foreach (var (alarm, state, minutes, duplicate, ancient) in storm.Events)
        {
            at = at.AddMinutes(minutes);
            var json = duplicate && events.Count > 0 ? events[^1] : StateChange(alarm, state, at, previous: state == "OK" ? "ALARM" : "OK");
            if (ancient)
            {
                json = json.Replace($"\"timestamp\":\"{at:yyyy-MM-ddTHH:mm:ss.fff}+0000\"", "\"timestamp\":\"0001-01-01T00:00:00.000+0000\"", StringComparison.Ordinal);
            }

            events.Add(json);
        }

        return events;
    }

    [Property(MaxTest = 8, Arbitrary = [typeof(Storms)])]
    public void Run_WhenAnyWriteFailsInAnyStorm_ShouldAccountForEveryInputApplyAllOrNothingAndKeepTheFloodCaps(Storm storm)
    {
        var events = Events(storm);
        var writes = 0;
        var config = Config.Value;
        IReadOnlyList<OpsPipeline.Core.Decisions.AlertState> states = [];
        var (summary, outbound, parked) = LocalRun.RunAsync(new LocalRunOptions
        {
            Config = config,
            Inputs = [.. events.Select((e, i) => new EventInput($"event[{i}]", e))],
            Out = TextWriter.Null,
            Err = TextWriter.Null,
            Stack = new LocalStackOptions
            {
                Config = config,
                Clock = TimeProvider.System,
                FailWrite = _ => Interlocked.Increment(ref writes) == storm.FailWrite ? (storm.Permanent ? WriteFault.Permanent : WriteFault.Transient) : null,
            },
            InspectAsync = async stack => states = await stack.Runtime.AlertStates.AllAsync(default),
        }).GetAwaiter().GetResult();

        // Every input is accounted for: decided (delivered or recorded with a reason), rejected, or parked.
        Assert.Equal(events.Count, summary.Received);
        Assert.Equal(summary.Received, summary.Decisions.Values.Sum() + summary.Rejected + summary.ExecutionsFailed - summary.TicksFailed);
        Assert.Equal(summary.Rejected + summary.ExecutionsFailed, parked.Count(p => p.Queue == LocalStack.ParkedEventQueueUrl));
        Assert.Empty(summary.AccessDenials);

        // Nothing half-applied: an event parked because a write failed left no committed alert state behind. (A
        // duplicate carries its original's id, and the original may well have been applied: those ids are left out.)
        var ids = events.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("id").GetString()!).ToList();
        foreach (var p in parked.Where(p => p.Queue == LocalStack.ParkedEventQueueUrl))
        {
            using var body = JsonDocument.Parse(p.Body);
            if (body.RootElement.GetProperty("event").TryGetProperty("id", out var id) && ids.Count(i => i == id.GetString()) == 1)
            {
                Assert.DoesNotContain(states, s => s.RecentEventIds.Contains(id.GetString()!));
            }
        }

        // No alert sends more than the cap in any hour beyond its first notifications and resolves (a repeat is never an
        // episode's first; a flapping notice may be, and then is never held) ...
        static bool Capped(OutboundRecord o) => o.Action is "repeat";
        foreach (var alert in outbound.Where(Capped).GroupBy(o => o.AlertKey))
        {
            var times = alert.Select(o => o.At).ToList();
            Assert.All(times, t => Assert.True(times.Count(u => u > t - TimeSpan.FromHours(1) && u <= t) <= AlertPerHour, $"{alert.Key}: over {AlertPerHour} an hour at {t:HH:mm}"));
        }

        // ... and no receiver gets more than its cap in a minute (SNS is published by the state machine, outside Deliver).
        foreach (var minute in outbound.Where(o => o.Channel == "slack" && Capped(o)).GroupBy(o => (o.Receiver, o.At.UtcTicks / TimeSpan.TicksPerMinute)))
        {
            Assert.True(minute.Count() <= SlackPerMinute, $"{minute.Key.Receiver}: {minute.Count()} in one minute");
        }
    }
}
