using System.Text.Json;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Stages.Grouping;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// A group's lifecycle as in Alertmanager (issue 16): every update of a group to a chat, SNS or webhook receiver lists
/// what is new, what still fires (told in earlier updates, named from the group's record) and what resolved, so one
/// update alone shows the whole state of the group.
/// </summary>
public class GroupLifecycleTests
{
    private const string BillingGroup = "root:{service=\"billing\"}";

    private static readonly string[] Billing = ["billing-api-5xx", "billing-db-errors", "billing-queue-depth"];

    private static DateTimeOffset At(int hour, int minute, int second = 0) => new(2026, 3, 10, hour, minute, second, TimeSpan.Zero);

    /// <summary>billing-* alarms (warnings) go to <paramref name="receiver"/> only, by service: 30 s group wait, 5 m group interval.</summary>
    private static string Grouped(string receiver = "slack: { webhookUrlParameter: /ops/slack/team }", bool sendResolved = true) => $$"""
        defaults:
          groupWait: 30s
          groupInterval: 5m
          sendResolved: {{(sendResolved ? "true" : "false")}}
        {{DecisionConfigs.Labels}}
        receivers:
          - name: team
            {{receiver}}
        route:
          receiver: team
          groupBy: [service]
        """;

    /// <summary>A Slack message as its reader sees it: each block's texts, in order (fields joined by " | ").</summary>
    private static List<string> SlackTexts(Sent sent) =>
        [.. sent.Delivery.Payload.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("type").GetString() switch
        {
            "header" => b.GetProperty("text").GetProperty("text").GetString()!,
            "context" => b.GetProperty("elements")[0].GetProperty("text").GetString()!,
            _ when b.TryGetProperty("fields", out var fields) => string.Join(" | ", fields.EnumerateArray().Select(f => f.GetProperty("text").GetString())),
            _ => b.GetProperty("text").GetProperty("text").GetString()!,
        })];

    private static string Link(string alarm) => $"https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/{alarm}";

    /// <summary>A group of three fires, then one member resolves, in a run whose every alert names the same group.</summary>
    private static InMemoryPipeline ThreeFireThenOneResolves(string config)
    {
        var run = new InMemoryPipeline(config);
        foreach (var (name, i) in Billing.Select((n, i) => (n, i)))
        {
            run.Apply(name, "ALARM", T0.AddSeconds(5 * i));
        }

        run.Apply(Billing[1], "OK", At(9, 3));
        run.AdvanceTo(At(9, 10));
        return run;
    }

    [Fact]
    public void Tick_WhenOneOfThreeResolves_ShouldListItResolvedAndTheOtherTwoStillFiringByName()
    {
        var run = ThreeFireThenOneResolves(Grouped());

        Assert.Equal([("team", "digest", BillingGroup), ("team", "digest", BillingGroup)], run.Deliveries());
        Assert.Equal([At(9, 1), At(9, 6)], run.Sent.Select(s => s.At));
        Assert.Equal(
            [
                ":rotating_light: [FIRING x3] service=billing",
                "*Alerts*\n3 alerts firing | *Worst severity*\nwarning | *Group*\nservice=billing",
                "*New (3)*",
                $"*<{Link("billing-api-5xx")}|billing-api-5xx>* · ALARM · warning\nbilling-api-5xx is ALARM: billing-api-5xx went to ALARM",
                $"*<{Link("billing-db-errors")}|billing-db-errors>* · ALARM · warning\nbilling-db-errors is ALARM: billing-db-errors went to ALARM",
                $"*<{Link("billing-queue-depth")}|billing-queue-depth>* · ALARM · warning\nbilling-queue-depth is ALARM: billing-queue-depth went to ALARM",
                "Group key: root:{service=\"billing\"}",
            ],
            SlackTexts(run.Sent[0]));
        Assert.Equal(
            [
                ":rotating_light: [FIRING x2, RESOLVED x1] service=billing",
                "*Alerts*\n3 alerts (2 firing, 1 resolved) | *Worst severity*\nwarning | *Group*\nservice=billing",
                "*Still firing (2)*",
                "billing-api-5xx (warning), billing-queue-depth (warning)",
                "*Resolved (1)*",
                $"*<{Link("billing-db-errors")}|billing-db-errors>* · OK · warning\nbilling-db-errors is OK: billing-db-errors went to OK",
                "Group key: root:{service=\"billing\"}",
            ],
            SlackTexts(run.Sent[1]));
        Assert.Equal(
            ":rotating_light: [FIRING x2, RESOLVED x1] service=billing: 3 alerts (2 firing, 1 resolved), worst severity warning",
            run.Sent[1].Delivery.Payload.GetProperty("text").GetString());
    }

    [Fact]
    public void Tick_WhenAWebhookGroupGainsOneAndLosesOne_ShouldCarryNewStillFiringAndResolvedAsData()
    {
        var run = new InMemoryPipeline(Grouped("webhook: { urlParameter: /ops/webhook/incidents }"));
        foreach (var (name, i) in Billing.Select((n, i) => (n, i)))
        {
            run.Apply(name, "ALARM", T0.AddSeconds(5 * i));
        }

        run.Apply(Billing[1], "OK", At(9, 3));
        run.Apply("billing-export-lag", "ALARM", At(9, 4));
        run.AdvanceTo(At(9, 10));

        Assert.Equal([At(9, 1), At(9, 6)], run.Sent.Select(s => s.At));
        var body = run.Sent[1].Delivery.Payload;
        // The update's own members, as before: the newcomer and the resolve; the group fires three.
        Assert.Equal((2, 1, 1, 3), (body.GetProperty("count").GetInt32(), body.GetProperty("firing").GetInt32(), body.GetProperty("resolved").GetInt32(), body.GetProperty("groupFiring").GetInt32()));
        Assert.Equal(
            """
            {"new":{"count":1,"alerts":[{"name":"billing-export-lag","severity":"warning"}]},"stillFiring":{"count":2,"alerts":[{"name":"billing-api-5xx","severity":"warning"},{"name":"billing-queue-depth","severity":"warning"}]},"resolved":{"count":1,"alerts":[{"name":"billing-db-errors","severity":"warning"}]}}
            """,
            body.GetProperty("parts").GetRawText());
    }

    [Fact]
    public void Tick_WhenAGroupOfOneFiresAndResolvesAlone_ShouldSendItsOwnTriggerAndResolve()
    {
        var run = new InMemoryPipeline(Grouped());
        run.Apply(Billing[0], "ALARM", T0);
        run.Apply(Billing[0], "OK", At(9, 3));
        run.AdvanceTo(At(9, 10));

        Assert.Equal([("team", "trigger", Billing[0]), ("team", "resolve", Billing[0])], run.Deliveries());
        Assert.Equal([1, 1], run.Store.GroupReads); // each update read the group's record: nothing else fired
    }

    [Fact]
    public void Tick_WhenTheGroupRecordsCannotBeRead_ShouldSendTheUpdateWithItsOwnMembersAndSaySo()
    {
        var run = new InMemoryPipeline(Grouped());
        foreach (var (name, i) in Billing.Select((n, i) => (n, i)))
        {
            run.Apply(name, "ALARM", T0.AddSeconds(5 * i));
        }

        run.AdvanceTo(At(9, 2));
        run.Store.GroupReadsFail = true;
        run.Apply(Billing[1], "OK", At(9, 3));
        run.AdvanceTo(At(9, 10));

        // Its state was committed before the read: the resolve still goes out, as its own (today's) resolve.
        Assert.Equal([("team", "digest", BillingGroup), ("team", "resolve", Billing[1])], run.Deliveries());
        Assert.Contains(
            "group records not read (StateConflictException): the updates of root:{service=\"billing\"} list their own members only, not the others still firing",
            run.TickPath);
        Assert.Empty(run.State(Billing[1])!.ToldFiring);
    }

    [Fact]
    public void Tick_WhenAResolveIsLeftUntold_ShouldNotListItAsStillFiring()
    {
        var run = new InMemoryPipeline(Grouped(sendResolved: false));
        foreach (var (name, i) in Billing.Select((n, i) => (n, i)))
        {
            run.Apply(name, "ALARM", T0.AddSeconds(5 * i));
        }

        run.Apply(Billing[1], "OK", At(9, 3));
        run.Apply("billing-export-lag", "ALARM", At(9, 4));
        run.AdvanceTo(At(9, 10));

        Assert.Equal(
            [
                ":rotating_light: [FIRING x3] service=billing",
                "*Alerts*\n3 alerts firing | *Worst severity*\nwarning | *Group*\nservice=billing",
                "*New (1)*",
                $"*<{Link("billing-export-lag")}|billing-export-lag>* · ALARM · warning\nbilling-export-lag is ALARM: billing-export-lag went to ALARM",
                "*Still firing (2)*",
                "billing-api-5xx (warning), billing-queue-depth (warning)",
                "Group key: root:{service=\"billing\"}",
            ],
            SlackTexts(run.Sent[1]));
    }

    [Fact]
    public void Tick_WhenMoreThanTwentyStillFire_ShouldNameTwentyAndCountTheRest()
    {
        var run = new InMemoryPipeline(Grouped());
        var names = Enumerable.Range(0, 25).Select(i => $"billing-fn-{i:D2}-errors").ToList();
        foreach (var name in names)
        {
            run.Apply(name, "ALARM", T0);
        }

        run.AdvanceTo(At(9, 2));
        var record = run.Store.Groups["root\n" + BillingGroup];
        Assert.Equal((25, GroupRoster.NamedMembers), (record.Told.Count, record.Named.Count));
        Assert.Equal(names.Take(20), record.Named.Select(m => m.Name));

        run.Apply(names[0], "OK", At(9, 3));
        run.AdvanceTo(At(9, 10));

        // The record named the first twenty: nineteen of them still fire; the five it never named are counted.
        var texts = SlackTexts(run.Sent[1]);
        Assert.Equal("*Still firing (24)*", texts[2]);
        Assert.Equal(string.Join(", ", names.Skip(1).Take(19).Select(n => $"{n} (warning)")) + ", … and 5 more", texts[3]);
        Assert.Equal("*Resolved (1)*", texts[4]);
    }

    [Fact]
    public void Tick_WhenTwoGroupsUpdateInOneTick_ShouldReadBothRecordsInOneRequest()
    {
        var run = new InMemoryPipeline(Grouped());
        run.Apply(Billing[0], "ALARM", T0);
        run.Apply("search-latency", "ALARM", T0);
        run.AdvanceTo(At(9, 2));

        Assert.Equal([("team", "trigger", Billing[0]), ("team", "trigger", "search-latency")], run.Deliveries().Order());
        Assert.Equal([2], run.Store.GroupReads);
    }

    [Fact]
    public void Tick_WhenOnlyAnIncidentReceiversGroupUpdates_ShouldNotReadGroupRecords()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Grouped());
        run.Apply("payments-api-5xx", "ALARM", T0);
        run.Apply("payments-ledger-lag", "ALARM", T0);
        run.AdvanceTo(At(9, 2));

        Assert.Equal([("oncall", "trigger", "payments-api-5xx"), ("oncall", "trigger", "payments-ledger-lag")], run.Deliveries());
        Assert.Empty(run.Store.GroupReads);
    }
}
