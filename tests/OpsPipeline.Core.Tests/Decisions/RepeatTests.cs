using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Silences;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>repeatInterval: a still-firing alert is reminded once per interval, by the Tick, and only while it is sendable.</summary>
public class RepeatTests
{
    private const string Billing = "billing-api-5xx";

    private static Silence SilenceFor(DateTimeOffset from, DateTimeOffset until) => new()
    {
        Id = "sil-9",
        Matchers = new Dictionary<string, string> { ["alarmName"] = Billing },
        StartsAt = from,
        EndsAt = until,
        CreatedBy = "carol",
        Comment = "known issue",
    };

    [Fact]
    public void Tick_WhenStillFiringAfterRepeatInterval_ShouldRepeatOncePerInterval()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate(repeatInterval: "1h"));
        run.Apply(Billing, "ALARM", T0);

        run.AdvanceTo(T0.AddHours(3).AddMinutes(30));

        Assert.Equal([("team", "trigger", Billing), ("team", "repeat", Billing), ("team", "repeat", Billing), ("team", "repeat", Billing)], run.Deliveries());
        Assert.Equal(
            [T0, new(2026, 3, 10, 10, 1, 0, TimeSpan.Zero), new(2026, 3, 10, 11, 1, 0, TimeSpan.Zero), new(2026, 3, 10, 12, 1, 0, TimeSpan.Zero)],
            run.Sent.Select(s => s.At));
        var state = run.State(Billing)!;
        Assert.Equal((DecisionKinds.Notify, "notify: repeat after 1h still firing"), (state.LastDecision, state.LastReason));
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 13, 1, 0, TimeSpan.Zero), state.DueAt);
    }

    [Fact]
    public void Tick_WhenAlertResolved_ShouldNotRepeat()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate(repeatInterval: "1h"));
        run.Apply(Billing, "ALARM", T0);
        run.Apply(Billing, "OK", T0.AddMinutes(50));

        run.AdvanceBy(TimeSpan.FromHours(5));

        Assert.Equal([("team", "trigger", Billing), ("team", "resolve", Billing)], run.Deliveries());
    }

    [Fact]
    public void Tick_WhenAlertIsSuppressed_ShouldNotRepeatUntilTheSilenceEnds()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate(repeatInterval: "1h"));
        run.Silences.Add(SilenceFor(T0.AddMinutes(-1), T0.AddHours(3)));
        run.Apply(Billing, "ALARM", T0);

        run.AdvanceBy(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(30));

        Assert.Equal([("team", "trigger", Billing), ("team", "repeat", Billing)], run.Deliveries());
        Assert.Equal([new(2026, 3, 10, 12, 1, 0, TimeSpan.Zero), new(2026, 3, 10, 13, 1, 0, TimeSpan.Zero)], run.Sent.Select(s => s.At));
    }

    [Fact]
    public void Tick_WhenSilenceIsCreatedAfterTheTrigger_ShouldNotRepeatWhileItLasts()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate(repeatInterval: "1h"));
        run.Apply(Billing, "ALARM", T0);
        run.AdvanceBy(TimeSpan.FromMinutes(10));
        run.Silences.Add(SilenceFor(run.Now, T0.AddHours(3)));

        run.AdvanceTo(T0.AddHours(2).AddMinutes(50));

        Assert.Equal([("team", "trigger", Billing)], run.Deliveries());
        var state = run.State(Billing)!;
        Assert.StartsWith("suppressed: silenced by sil-9 (", state.Suppressed!.Reason, StringComparison.Ordinal);

        // The silence ends with the alert still firing: one reminder that it is, then the normal interval.
        run.AdvanceTo(T0.AddHours(4).AddMinutes(30));

        Assert.Equal([("team", "trigger", Billing), ("team", "trigger", Billing), ("team", "repeat", Billing)], run.Deliveries());

        // It was notified as firing before the silence, so its resolve still goes out (an open page must close).
        run.Apply(Billing, "OK", T0.AddHours(5));
        Assert.Equal(("team", "resolve", Billing), run.Deliveries()[^1]);
    }

    [Fact]
    public void Decide_WhenNotifiedAlertResolvesDuringALaterSilence_ShouldStillSendTheResolve()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate(repeatInterval: "1h"));
        run.Apply(Billing, "ALARM", T0);
        run.AdvanceBy(TimeSpan.FromMinutes(10));
        run.Silences.Add(SilenceFor(run.Now, T0.AddHours(3)));
        run.AdvanceBy(TimeSpan.FromMinutes(70));

        var ok = run.Apply(Billing, "OK", T0.AddMinutes(90));

        Assert.Equal("notify: resolve to team", ok.Reason);
        Assert.Equal([("team", "trigger", Billing), ("team", "resolve", Billing)], run.Deliveries());
    }
}
