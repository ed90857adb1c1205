using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// A group's updates (issue 16): a resolve only held for the group's next update leaves the receiver told it fires, so
/// a re-fire before that update tells it nothing.
/// </summary>
public class GroupGridTests
{
    private const string Invoices = "billing-invoice-errors";

    private static DateTimeOffset At(int hour, int minute, int second = 0) => new(2026, 3, 10, hour, minute, second, TimeSpan.Zero);

    /// <summary>billing-* alarms go to team (Slack) only, in groups by service with a 30 s group wait and a 5 m group interval.</summary>
    private static string ChatGrouped()
    {
        var yaml = DecisionConfigs.Immediate().Replace("  groupWait: 0s\n", "  groupWait: 30s\n", StringComparison.Ordinal);
        Assert.Contains("groupWait: 30s", yaml, StringComparison.Ordinal);
        return yaml;
    }

    [Fact]
    public void Decide_WhenAnAlertFiresAgainBeforeItsHeldResolveWentOut_ShouldTellTheChatReceiverNothing()
    {
        var run = new InMemoryPipeline(ChatGrouped());
        run.Apply(Invoices, "ALARM", T0);
        run.AdvanceTo(At(9, 2)); // told at 09:01, alone in its group

        var ok = run.Apply(Invoices, "OK", At(9, 7));
        var toldWhileHeld = run.State(Invoices)!.ToldFiring;
        var again = run.Apply(Invoices, "ALARM", At(9, 8));
        run.AdvanceTo(At(9, 30));

        Assert.Equal([("team", "trigger", Invoices)], run.Deliveries());
        Assert.Equal("grouped: resolve held for team until 2026-03-10T09:10:00Z, with its group", ok.Reason);
        Assert.Equal(["team"], toldWhileHeld); // the resolve was only held: team still believed it fires
        Assert.Equal(
            (DecisionKinds.Recorded, "recorded: billing-invoice-errors fires again before its resolve went out; team still told it fires"),
            (again.Decision, again.Reason));
        var state = run.State(Invoices)!;
        Assert.Equal(AlertStatus.Firing, state.NotifiedStatus);
        Assert.Equal(["team"], state.ToldFiring);
        Assert.Empty(state.Pending);

        // Its next resolve is told, in the group's slot.
        run.Apply(Invoices, "OK", At(9, 40));
        run.AdvanceTo(At(9, 50));
        Assert.Equal([("team", "trigger", Invoices), ("team", "resolve", Invoices)], run.Deliveries());
        Assert.Equal([At(9, 1), At(9, 41)], run.Sent.Select(s => s.At));
    }
}
