using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// One update grid per group (issue 16, as Alertmanager's group timer): after its first notification a group sends its
/// updates every groupInterval from then, and whatever joins or resolves within one interval goes out in the next one.
/// A resolve only held for that update leaves the receiver told it fires, so a re-fire before it tells nothing.
/// </summary>
public class GroupGridTests
{
    private const string CheckoutGroup = "root:{service=\"checkout\"}";

    private const string Invoices = "billing-invoice-errors";

    private static readonly string[] Storm = ["checkout-api-5xx", "checkout-db-errors", "checkout-queue-age"];

    private static DateTimeOffset At(int hour, int minute, int second = 0) => new(2026, 3, 10, hour, minute, second, TimeSpan.Zero);

    /// <summary>billing-* alarms go to team (Slack) only, in groups by service with a 30 s group wait and a 5 m group interval.</summary>
    private static string ChatGrouped()
    {
        var yaml = DecisionConfigs.Immediate().Replace("  groupWait: 0s\n", "  groupWait: 30s\n", StringComparison.Ordinal);
        Assert.Contains("groupWait: 30s", yaml, StringComparison.Ordinal);
        return yaml;
    }

    /// <summary>The members a webhook digest lists, as (alert name, firing or resolved), by name.</summary>
    private static List<(string?, string?)> Members(Sent update) =>
        [.. update.Delivery.Payload.GetProperty("alerts").EnumerateArray()
            .Select(a => (a.GetProperty("name").GetString(), a.GetProperty("status").GetString())).OrderBy(m => m.Item1, StringComparer.Ordinal)];

    [Fact]
    public void Tick_WhenTwoResolvesOfAGroupStraddleAFiveMinuteBoundary_ShouldSendOneUpdateInTheGroupsSlot()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());
        foreach (var (name, i) in Storm.Select((n, i) => (n, i)))
        {
            run.Apply(name, "ALARM", T0.AddSeconds(5 * i));
        }

        // The group's first digest goes out at 09:01: its updates fall at 09:06, 09:11, … The two resolves come either
        // side of 09:10, a multiple of 5 m since the epoch, and within one of the group's intervals.
        var first = run.Apply(Storm[0], "OK", At(9, 8, 30));
        var second = run.Apply(Storm[1], "OK", At(9, 10, 30));
        run.AdvanceBy(TimeSpan.FromMinutes(15));

        Assert.Equal([("hook", "digest", CheckoutGroup), ("hook", "digest", CheckoutGroup)], run.Deliveries());
        Assert.Equal([At(9, 1), At(9, 11)], run.Sent.Select(s => s.At));
        Assert.Equal([(Storm[0], "resolved"), (Storm[1], "resolved")], Members(run.Sent[1]));
        Assert.All([first, second], d => Assert.Equal(
            (DecisionKinds.Grouped, "grouped: resolve held for hook until 2026-03-10T09:11:00Z, with its group"), (d.Decision, d.Reason)));
        Assert.All(Storm.Take(2), name => Assert.Empty(run.State(name)!.ToldFiring));
        Assert.Equal(["hook"], run.State(Storm[2])!.ToldFiring);
    }

    [Fact]
    public void Tick_WhenANewcomerAndAResolveFallInOneGroupInterval_ShouldSendThemAsOneUpdate()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());
        run.Apply(Storm[0], "ALARM", T0);
        run.Apply(Storm[1], "ALARM", T0.AddSeconds(5));

        var ok = run.Apply(Storm[0], "OK", At(9, 8, 30));
        var joined = run.Apply(Storm[2], "ALARM", At(9, 10, 40));
        run.AdvanceBy(TimeSpan.FromMinutes(10));

        // Both wait for the group's update at 09:11 (09:01 + 2 × 5 m): the newcomer does not wait its own group wait
        // (09:11:10), nor does the resolve go alone at 09:10.
        Assert.Equal([("hook", "digest", CheckoutGroup), ("hook", "digest", CheckoutGroup)], run.Deliveries());
        Assert.Equal([At(9, 1), At(9, 11)], run.Sent.Select(s => s.At));
        Assert.Equal([(Storm[0], "resolved"), (Storm[2], "firing")], Members(run.Sent[1]));
        Assert.Equal("grouped: resolve held for hook until 2026-03-10T09:11:00Z, with its group", ok.Reason);
        Assert.Equal("grouped: held for hook until 2026-03-10T09:11:00Z", joined.Reason);
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
        Assert.Equal("grouped: resolve held for team until 2026-03-10T09:11:00Z, with its group", ok.Reason);
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

    [Fact]
    public void Tick_WhenAGroupFiresAgainAfterItFullyResolved_ShouldStartAFreshGrid()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());
        run.Apply(Storm[0], "ALARM", T0);
        run.Apply(Storm[0], "OK", At(9, 3));

        // The update at 09:06 leaves no member told firing: the group's episode is over. The next alert waits its group
        // wait (09:07:40, the 09:08 tick), not the old grid's 09:11, and its group's grid starts again from there.
        var next = run.Apply(Storm[1], "ALARM", At(9, 7, 10));
        var joined = run.Apply(Storm[2], "ALARM", At(9, 9));
        run.AdvanceBy(TimeSpan.FromMinutes(10));

        // The 09:13 update is one digest: its newcomer and the member told firing at 09:08, still firing.
        Assert.Equal(
            [("hook", "trigger", Storm[0]), ("hook", "resolve", Storm[0]), ("hook", "trigger", Storm[1]), ("hook", "digest", CheckoutGroup)],
            run.Deliveries());
        Assert.Equal([At(9, 1), At(9, 6), At(9, 8), At(9, 13)], run.Sent.Select(s => s.At));
        Assert.Equal([(Storm[2], "firing")], Members(run.Sent[3]));
        Assert.Equal("grouped: held for hook until 2026-03-10T09:07:40Z", next.Reason);
        Assert.Equal("grouped: held for hook until 2026-03-10T09:13:00Z", joined.Reason);
    }

    [Fact]
    public void Tick_WhenSendResolvedIsOffAndTheGroupFullyResolved_ShouldStillStartAFreshGrid()
    {
        var yaml = DecisionConfigs.Grouped().Replace("sendResolved: true", "sendResolved: false", StringComparison.Ordinal);
        var run = new InMemoryPipeline(yaml);
        run.Apply(Storm[0], "ALARM", T0);
        var ok = run.Apply(Storm[0], "OK", At(9, 3));

        // Nothing is told of the resolve, but the member still leaves its group with the group's 09:06 update, which ends
        // the episode: the next alert waits its group wait.
        run.Apply(Storm[1], "ALARM", At(9, 7, 10));
        run.AdvanceBy(TimeSpan.FromMinutes(10));

        Assert.Equal([("hook", "trigger", Storm[0]), ("hook", "trigger", Storm[1])], run.Deliveries());
        Assert.Equal([At(9, 1), At(9, 8)], run.Sent.Select(s => s.At));
        Assert.Equal((DecisionKinds.Recorded, "recorded: resolved (sendResolved is off); leaves its group with its update at 2026-03-10T09:06:00Z"), (ok.Decision, ok.Reason));
        var state = run.State(Storm[0])!;
        Assert.Equal((DecisionKinds.Recorded, $"recorded: resolved; left group {CheckoutGroup} untold (sendResolved is off)"), (state.LastDecision, state.LastReason));
        Assert.Empty(state.ToldFiring);
    }
}
