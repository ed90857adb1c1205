using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// An SLO incident through the real use cases (issue 16): the alarm that backs the SLO and the SLO's burn alerts are
/// one PagerDuty incident; chat hears the alarm as always and the team hears, once, what the incident cost.
/// </summary>
public class SloIncidentPipelineTests
{
    private const string Alarm = "checkout-api-5xx";
    private const string IncidentKey = "slo:checkout-availability";

    private static string WithSlo() => DecisionConfigs.Immediate() + """

        slos:
          - name: checkout-availability
            objective: 99.9
            window: 30d
            alarms: [checkout-api-5xx]
            burnAlerts:
              - { long: 1h, short: 5m, burnRate: 14.4, receiver: oncall }
              - { long: 6h, short: 30m, burnRate: 6, receiver: oncall }
              - { long: 3d, short: 6h, burnRate: 1, receiver: team }
        """;

    private static List<(string Action, string Dedup)> Pages(InMemoryPipeline run) =>
        [.. run.Sent.Where(s => s.Delivery.Receiver == "oncall").Select(s => (s.Delivery.Action, s.Delivery.DedupKey))];

    [Fact]
    public void Incident_WhenTheSloAlarmFiresFor30Minutes_ShouldBeOnePagerDutyIncidentAndOneCostMessage()
    {
        var run = new InMemoryPipeline(WithSlo());
        run.Apply(Alarm, "ALARM", T0);
        run.AdvanceTo(T0.AddMinutes(30));
        var resolve = run.Apply(Alarm, "OK", T0.AddMinutes(30));
        run.AdvanceTo(T0.AddMinutes(70));

        // Opened by the alarm, updated by both paging burn alerts, resolved once when the 6x window is clean (10:00).
        Assert.Equal([("trigger", IncidentKey), ("budget", IncidentKey), ("budget", IncidentKey), ("budget", IncidentKey)], Pages(run));
        Assert.Equal("10:00", $"{run.Sent.Last(s => s.Delivery.Receiver == "oncall").At:HH:mm}");
        Assert.DoesNotContain(resolve.Deliveries, d => d.Receiver == "oncall");
        Assert.Contains("resolve to oncall handed to the checkout-availability incident", string.Join('\n', resolve.Path));
        // Chat hears the alarm under its own key, as any alarm; the 1x ticket is folded; the cost comes once, at the end.
        var team = run.Sent.Where(s => s.Delivery.Receiver == "team").ToList();
        Assert.Equal(["trigger", "resolve", "budget"], team.Select(s => s.Delivery.Action));
        Assert.EndsWith(":alarm:" + Alarm, team[1].Delivery.DedupKey, StringComparison.Ordinal);
        Assert.Contains("this incident consumed 69.4% of the 30d budget; 30.6% remains", team[2].Delivery.Payload.GetProperty("text").GetString());
    }

    [Fact]
    public void Incident_WhenTheAlarmFlapsAndSettles_ShouldResolveItsOneIncidentOnceAfterSettling()
    {
        var run = new InMemoryPipeline(WithSlo());
        foreach (var (state, i) in new[] { "ALARM", "OK", "ALARM", "OK" }.Select((s, i) => (s, i)))
        {
            run.Apply(Alarm, state, T0.AddMinutes(i));
        }

        run.AdvanceBy(TimeSpan.FromHours(2));

        // Every page to oncall is under the incident's key and there is exactly one resolve, after the settle.
        var pages = Pages(run);
        Assert.All(pages, p => Assert.Equal(IncidentKey, p.Dedup));
        var resolves = run.Sent.Where(s => s.Delivery.Receiver == "oncall" && s.Delivery.Payload.GetProperty("event_action").GetString() == "resolve").ToList();
        Assert.True(resolves.Count == 1, string.Join("\n", run.Sent.Select(s => s.ToString() + " " + s.Delivery.DedupKey + " " + s.Delivery.Payload.GetRawText())));
        var only = resolves[0];
        Assert.Equal("budget", only.Delivery.Action);
        Assert.True(only.At >= T0.AddMinutes(33), $"resolved at {only.At:HH:mm}, before the alarm settled (30 min OK)");
        Assert.Null(run.State(Alarm)!.DueAt);
    }

    [Fact]
    public void Incident_WhenTheSloAlarmIsADrill_ShouldTellOnlyTheDrillReceiverUnderTheAlarmsOwnKey()
    {
        var run = new InMemoryPipeline(WithSlo());
        run.Apply(run.Alert(Alarm, "ALARM", T0, replayName: "game-day"));
        run.AdvanceBy(TimeSpan.FromMinutes(10));

        var sent = Assert.Single(run.Sent);
        Assert.Equal("drills", sent.Delivery.Receiver);
        Assert.EndsWith(":alarm:" + Alarm, sent.Delivery.DedupKey, StringComparison.Ordinal);
    }
}
