using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// Decide is all or nothing: each write it (or the Tick) makes is failed in turn, and what the receivers get must
/// be what they get with no failure (transient faults), or the event must be parked and its next delivery still
/// page (faults nobody retries). Nothing half-applied may swallow a later transition.
/// </summary>
[Trait("Category", "Integration")]
public class AllOrNothingTests
{
    private static async Task<(RunSummary Summary, IReadOnlyList<OutboundRecord> Outbound, IReadOnlyList<ParkedRecord> Parked, int Writes, string Err)> RunAsync(IReadOnlyList<string> events, int failAt, WriteFault fault)
    {
        var writes = 0;
        var (summary, outbound, parked, err) = await RunAsync(events, _ => Interlocked.Increment(ref writes) == failAt ? fault : null);
        return (summary, outbound, parked, writes, err);
    }

    /// <summary>The events through the local stack with the sample config, each write a function makes put to <paramref name="failWrite"/>.</summary>
    private static async Task<(RunSummary Summary, IReadOnlyList<OutboundRecord> Outbound, IReadOnlyList<ParkedRecord> Parked, string Err)> RunAsync(IReadOnlyList<string> events, Func<string, WriteFault?> failWrite)
    {
        var err = new StringWriter();
        var config = TestConfig.Sample();
        var (summary, outbound, parked) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = config,
            Inputs = [.. events.Select((e, i) => new EventInput($"event[{i}]", e))],
            Out = TextWriter.Null,
            Err = err,
            Explain = true,
            Stack = new LocalStackOptions { Config = config, Clock = TimeProvider.System, FailWrite = failWrite },
        });
        return (summary, outbound, parked, err.ToString());
    }

    private static IEnumerable<string> Told(IEnumerable<OutboundRecord> outbound) =>
        outbound.Select(o => $"{o.Receiver} {o.Action} {o.AlertKey[(o.AlertKey.LastIndexOf(':') + 1)..]}").Order(StringComparer.Ordinal);

    [Fact]
    public async Task EveryWrite_WhenItFailsTransientlyOnce_ShouldLeaveWhatTheReceiversGetUnchanged()
    {
        // An inhibition source firing and resolving over an SLO alarm: source updates and their tombstone, bad time
        // opened and closed, alert states, and the Tick's release of the inhibited alarm.
        string[] events =
        [
            StateChange("checkout-capability", "ALARM", T0),
            StateChange("checkout-api-5xx", "ALARM", T0.AddMinutes(1)),
            StateChange("checkout-capability", "OK", T0.AddMinutes(5), previous: "ALARM"),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(12), previous: "ALARM"),
        ];
        var (clean, cleanOutbound, _, writes, _) = await RunAsync(events, failAt: 0, WriteFault.Transient);
        Assert.Equal(0, clean.ExecutionsFailed);
        Assert.True(writes >= 8, $"expected the scenario's writes, counted {writes}");

        for (var k = 1; k <= writes; k++)
        {
            var (summary, outbound, parked, _, err) = await RunAsync(events, failAt: k, WriteFault.Transient);

            Assert.True(summary.ExecutionsFailed == 0 && parked.Count == 0, $"write {k} of {writes}: {err}");
            Assert.True(Told(cleanOutbound).SequenceEqual(Told(outbound)), $"write {k} of {writes} failed once: [{string.Join(", ", Told(outbound))}] instead of [{string.Join(", ", Told(cleanOutbound))}]\n{err}");
        }
    }

    [Fact]
    public async Task EveryWrite_WhenItFailsForGood_ShouldParkTheEventAndLetItsRedeliveryPage()
    {
        // The SLO alarm's ALARM writes bad time and its state. Fail either for good: the event is parked, and when
        // the same transition arrives again (EventBridge redelivers, or the parked copy is replayed) it still pages,
        // never "already notified as firing" for a page that was never sent.
        var alarm = StateChange("checkout-api-5xx", "ALARM", T0);
        var redelivered = StateChange("checkout-api-5xx", "ALARM", T0) .Replace("\"time\":\"2026-03-02T09:00:00Z\"", "\"time\":\"2026-03-02T09:00:30Z\"", StringComparison.Ordinal);
        for (var k = 1; k <= 2; k++)
        {
            var (summary, outbound, parked, _, err) = await RunAsync([alarm, redelivered], failAt: k, WriteFault.Permanent);

            var parkedEvent = Assert.Single(parked, p => p.Queue == LocalStack.ParkedEventQueueUrl);
            Assert.Contains("injected write failure", parkedEvent.Body, StringComparison.Ordinal);
            Assert.Contains("CloudWatch Alarm State Change", parkedEvent.Body, StringComparison.Ordinal);
            Assert.True(Assert.Single(outbound, o => o.Receiver == "oncall" && o.Action == "trigger") is not null, $"write {k}: {err}");
            Assert.Equal(1, summary.ExecutionsFailed);
        }
    }

    [Fact]
    public async Task InhibitionSource_WhenItsAlarmIsParkedAfterItsSourceEntryWasWritten_ShouldBeClearedByItsNextTransition()
    {
        // The capability's ALARM writes its source entry (creating the sources item on the way: UpdateItem, PutItem,
        // UpdateItem), then its state (the second PutItem), which fails for good: the event is parked with the entry
        // written. Its OK must still clear the entry, or every component stays inhibited for ever.
        var puts = 0;
        var (summary, outbound, parked, err) = await RunAsync(
            [
                StateChange("checkout-capability", "ALARM", T0),
                StateChange("checkout-capability", "OK", T0.AddMinutes(5), previous: "ALARM"),
                StateChange("checkout-api-5xx", "ALARM", T0.AddMinutes(6)),
            ],
            op => op == "PutItem" && Interlocked.Increment(ref puts) == 2 ? WriteFault.Permanent : null);

        Assert.Single(parked, p => p.Queue == LocalStack.ParkedEventQueueUrl);
        Assert.Equal(1, summary.ExecutionsFailed);
        Assert.True(outbound.Any(o => o.Receiver == "oncall" && o.Action == "trigger" && o.AlertKey.EndsWith(":alarm:checkout-api-5xx", StringComparison.Ordinal)), err);
        Assert.DoesNotContain("inhibited by checkout-capability", err, StringComparison.Ordinal);
    }
}
