using System.Text.Json;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>`opsctl silence add|list|expire` and a silence window replayed through `opsctl local --state`.</summary>
[Trait("Category", "Integration")]
public sealed class SilenceCommandTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "opsctl-silence-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Fact]
    public async Task SilenceCommands_WhenAddedListedAndExpired_ShouldShowEachStateWithAuthorAndComment()
    {
        var (exit, added, _) = await Opsctl("silence", "add", "--match", "service=checkout", "--match", "alarmName=~^checkout-api", "--duration", "2h",
            "--author", "alice", "--comment", "INC-42 deploy", "--state", _state);
        Assert.Equal(0, exit);
        var id = added.Split(' ')[1];
        Assert.Matches("^[0-9a-f]{8}$", id);

        var (_, listed, _) = await Opsctl("silence", "list", "--json", "--state", _state);
        using (var doc = JsonDocument.Parse(listed.Trim()))
        {
            var s = doc.RootElement;
            Assert.Equal(id, s.GetProperty("id").GetString());
            Assert.Equal("checkout", s.GetProperty("matchers").GetProperty("service").GetString());
            Assert.Equal("~^checkout-api", s.GetProperty("matchers").GetProperty("alarmName").GetString());
            Assert.Equal("alice", s.GetProperty("createdBy").GetString());
            Assert.Equal("INC-42 deploy", s.GetProperty("comment").GetString());
            Assert.Equal("active", s.GetProperty("status").GetString());
        }

        Assert.Equal(0, (await Opsctl("silence", "expire", id, "--state", _state)).Exit);
        Assert.Equal(string.Empty, (await Opsctl("silence", "list", "--json", "--state", _state)).Out);
        var (_, all, _) = await Opsctl("silence", "list", "--all", "--state", _state);
        Assert.Contains(id, all);
        Assert.Contains("expired", all);
        Assert.Equal(2, (await Opsctl("silence", "expire", "deadbeef", "--state", _state)).Exit);
    }

    [Fact]
    public async Task SilenceAdd_WhenGivenAlertmanagerOperators_ShouldKeepNegativeMatchersAndNeverMakeALabelOfAnOperator()
    {
        var (exit, added, err) = await Opsctl("silence", "add", "service!=checkout", "env!~dev|test", "--match", "team=payments", "--duration", "1h",
            "--author", "alice", "--comment", "storm", "--state", _state);
        Assert.True(exit == 0, err);
        Assert.Contains("{team=payments, service!=checkout, env!~dev|test}", added);

        var (_, listed, _) = await Opsctl("silence", "list", "--json", "--state", _state);
        using var doc = JsonDocument.Parse(listed.Trim());
        var s = doc.RootElement;
        Assert.Equal("payments", s.GetProperty("matchers").GetProperty("team").GetString());
        Assert.False(s.GetProperty("matchers").TryGetProperty("service!", out _));
        Assert.Equal(["service!=checkout", "env!~dev|test"], s.GetProperty("expressions").EnumerateArray().Select(e => e.GetString()));

        var (bad, _, why) = await Opsctl("silence", "add", "service!checkout", "--duration", "1h", "--author", "a", "--comment", "c", "--state", _state);
        Assert.Equal(2, bad);
        Assert.Contains("matcher: 'service!checkout' is not label=value or label=~regex (nor label!=value, label!~regex): 'service!checkout': character 8 ('!') after label 'service' is not one of the operators =, !=, =~, !~", why);
    }

    [Theory]
    [InlineData(new[] { "--match", "service", "--duration", "1h", "--author", "a", "--comment", "c" }, "--match: 'service' is not label=value or label=~regex")]
    [InlineData(new[] { "--match", "service=~(", "--duration", "1h", "--author", "a", "--comment", "c" }, "not a valid regex")]
    [InlineData(new[] { "--match", "service=x", "--duration", "soon", "--author", "a", "--comment", "c" }, "--duration: 'soon' is not a duration")]
    [InlineData(new[] { "--match", "service=x", "--starts", "2026-03-02T10:00:00Z", "--ends", "2026-03-02T09:00:00Z", "--author", "a", "--comment", "c" }, "--ends: must be after --starts")]
    [InlineData(new[] { "--match", "service=x", "--starts", "yesterday", "--duration", "1h", "--author", "a", "--comment", "c" }, "--starts: 'yesterday' is not an ISO-8601 time")]
    [InlineData(new[] { "--match", "service=x", "--duration", "1h", "--author", " ", "--comment", "c" }, "--author: must not be empty")]
    [InlineData(new[] { "--match", "service=x", "--duration", "1h", "--author", "a" }, "--comment is required")]
    public async Task SilenceAdd_WhenAFlagIsWrong_ShouldNameItAndExit2(string[] flags, string expected)
    {
        var (exit, _, err) = await Opsctl(["silence", "add", .. flags, "--state", _state]);

        Assert.Equal(2, exit);
        Assert.Contains(expected, err);
    }

    [Fact]
    public async Task SilenceWindow_WhenAlarmFiresInsideIt_ShouldRecordItAndPageOnceWhenTheSilenceEnds()
    {
        await AddSilenceAsync("service=checkout", "2026-03-02T09:30:00Z", "bob", "planned failover");

        var (all, err) = await ReplayAsync(
            StateChange("checkout-api-5xx", "ALARM", T0.AddMinutes(5)),                           // still firing when the silence ends
            StateChange("checkout-db-latency", "ALARM", T0.AddMinutes(6)),                        // resolves inside the window
            StateChange("checkout-db-latency", "OK", T0.AddMinutes(12), previous: "ALARM"),
            StateChange("billing-export-lag", "OK", T0.AddMinutes(40)));                          // moves the clock on

        // The sample config's SLO pages on checkout-api-5xx's bad time too, under the same incident: the silence holds
        // them as well (see SilenceWindow_WhenItMatchesTheSloAlarmsLabels_...); not this test's subject.
        var deliveries = all.Where(d => d.GetProperty("action").GetString() != "budget").ToList();
        var page = Assert.Single(deliveries);
        Assert.Equal("oncall", page.GetProperty("receiver").GetString());
        Assert.Equal("trigger", page.GetProperty("action").GetString());
        Assert.EndsWith("checkout-api-5xx", page.GetProperty("alertKey").GetString());
        Assert.Contains("suppressed: silenced by", err);
        Assert.Contains("tick 2026-03-02T09:30Z", err);
        Assert.Contains("checkout-db-latency resolved while suppressed; it was never sent", err);
    }

    [Fact]
    public async Task SilenceWindow_WhenItMatchesAnSlo_ShouldHoldItsBurnPagesUntilItEndsAndLeaveTheAlarmAlone()
    {
        var id = await AddSilenceAsync("slo=checkout-availability", "2026-03-02T09:20:00Z", "carol", "known incident, the alarm pages");

        var (deliveries, err) = await ReplayAsync(
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(30), previous: "ALARM"),
            StateChange("billing-export-lag", "OK", T0.AddMinutes(70))); // moves the clock on

        // The alarm is not matched (it carries no slo label): it pages at 09:00, opening the SLO's incident; its
        // resolve at 09:30 is handed to that incident.
        Assert.Equal(["trigger"], deliveries.Where(d => d.GetProperty("alertKey").GetString()!.EndsWith(":checkout-api-5xx", StringComparison.Ordinal)).Select(d => d.GetProperty("action").GetString()));
        Assert.Contains("resolve to oncall handed to the checkout-availability incident", err);
        // Each paging burn alert that fired inside the window updates the incident once, when the window ends (09:20,
        // not 09:01), with the numbers of that moment: 20 bad minutes of 43.2. The 3d ticket was folded at 09:01.
        var burns = deliveries.Where(d => d.GetProperty("action").GetString() == "budget").ToList();
        var pages = burns.Where(d => d.GetProperty("receiver").GetString() == "oncall").ToList();
        Assert.Equal(["trigger", "trigger", "resolve"], pages.Select(d => d.GetProperty("payload").GetProperty("event_action").GetString()));
        Assert.All(pages, d => Assert.Equal("slo:checkout-availability", d.GetProperty("payload").GetProperty("dedup_key").GetString()));
        // Both updates go out in the 09:20 tick, in either order (the Map sends them concurrently).
        Assert.Contains(pages, d => d.GetProperty("payload").GetProperty("payload").TryGetProperty("summary", out var summary)
            && summary.GetString() == "checkout-availability: 14.4× burn, 46.3% of the 30d budget consumed (checkout-api-5xx ALARM)");
        Assert.Contains($"checkout-availability 1h/5m@14.4x: burnFiring held: silenced by {id} ({{slo=checkout-availability}}", err);
        Assert.Contains("tick 2026-03-02T09:19Z: tick: 0 change(s), 0 deliveries, 2 budget notice(s) held by silences", err);
        Assert.Contains("tick 2026-03-02T09:20Z: tick: 2 change(s), 2 deliveries", err);
        // The incident ends at 10:00 (the 6x alert's 30m window is clean): one resolve, and the team told its cost.
        Assert.Equal(4, burns.Count);
        Assert.Contains("this incident consumed 69.4% of the 30d budget", burns[^1].GetProperty("payload").GetProperty("text").GetString());
    }

    [Fact]
    public async Task SilenceWindow_WhenItMatchesTheSloAlarmsLabels_ShouldHoldTheAlarmAndItsIncidentsBurnPagesAlike()
    {
        // service=checkout matches checkout-api-5xx, not the budget notices' own labels: they are one incident, so it holds both.
        var id = await AddSilenceAsync("service=checkout", "2026-03-02T09:20:00Z", "dave", "planned failover");

        var (deliveries, err) = await ReplayAsync(
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(30), previous: "ALARM"),
            StateChange("billing-export-lag", "OK", T0.AddMinutes(70)));

        Assert.Contains($"checkout-availability 1h/5m@14.4x: burnFiring held: silenced by {id}", err);
        // Nothing pages before the silence ends at 09:20: then the alarm (released) and both burn alerts, under one key.
        var pages = deliveries.Where(d => d.GetProperty("receiver").GetString() == "oncall").ToList();
        Assert.Equal(["trigger", "trigger", "trigger", "resolve"], pages.Select(d => d.GetProperty("payload").GetProperty("event_action").GetString()));
        Assert.All(pages, d => Assert.Equal("slo:checkout-availability", d.GetProperty("payload").GetProperty("dedup_key").GetString()));
        Assert.DoesNotContain("tick 2026-03-02T09:01Z: tick: 1 change(s), 1 deliveries", err);
        Assert.Contains("tick 2026-03-02T09:20Z", err);
    }

    [Fact]
    public async Task LocalRun_WhenASilenceOfTheStateCannotOverlapItsEvents_ShouldWarnNamingBothSpans()
    {
        // Issue 18: a silence made now (the default start) had no effect on recorded events, and nothing said so.
        var now = await Opsctl("silence", "add", "service=checkout", "--duration", "2h", "--comment", "INC-42", "--state", _state);
        Assert.True(now.Exit == 0, now.Err);
        var id = now.Out.Split(' ')[1];
        var inTime = await AddSilenceAsync("service=billing", "2026-03-02T10:00:00Z", "carol", "in the events' time");

        var (_, err) = await ReplayAsync(StateChange("checkout-api-5xx", "ALARM", T0), StateChange("billing-export-lag", "OK", T0.AddMinutes(10)));

        Assert.Contains($"warning: silence {id} (", err, StringComparison.Ordinal);
        Assert.Contains("outside this run's events (2026-03-02T09:00Z to 2026-03-02T09:10Z): it mutes none of them; give it --starts/--ends in their time", err, StringComparison.Ordinal);
        Assert.DoesNotContain($"warning: silence {inTime}", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BudgetCommand_WhenASilenceHoldsABurnPage_ShouldSayHeldByWhichSilenceAndUntilWhen()
    {
        var id = await AddSilenceAsync("slo=checkout-availability", "2026-03-02T09:30:00Z", "carol", "known incident");
        await ReplayAsync(
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("billing-export-lag", "OK", T0.AddMinutes(10))); // moves the clock on; the alarm still fires

        var (exit, text, err) = await Opsctl("budget", "--state", _state, "--at", "2026-03-02T09:10:00Z");
        var (_, json, _) = await Opsctl("budget", "--json", "--state", _state, "--at", "2026-03-02T09:10:00Z");

        Assert.True(exit == 0, err);
        Assert.Contains($"(alert at 14.4x -> oncall) HELD by silence {id} until 2026-03-02T09:30Z", text);
        using var doc = JsonDocument.Parse(json);
        var fast = doc.RootElement.GetProperty("burnRates").EnumerateArray().First();
        Assert.Equal(("1h/5m@14.4x", false, id), (fast.GetProperty("alert").GetString(), fast.GetProperty("firing").GetBoolean(), fast.GetProperty("heldBy").GetString()));
        // After the silence, at the same burn, nothing holds it: the next tick pages.
        var (_, after, _) = await Opsctl("budget", "--state", _state, "--at", "2026-03-02T09:31:00Z");
        Assert.Contains("(alert at 14.4x -> oncall) burning (the next tick pages)", after);
    }

    /// <summary>A silence on one matcher from 09:00 (<see cref="AlarmEvents.T0"/>) to <paramref name="ends"/>, in this test's state; its id.</summary>
    private async Task<string> AddSilenceAsync(string match, string ends, string author, string comment)
    {
        var add = await Opsctl("silence", "add", "--match", match, "--starts", "2026-03-02T09:00:00Z", "--ends", ends,
            "--author", author, "--comment", comment, "--state", _state);
        Assert.True(add.Exit == 0, add.Err);
        return add.Out.Split(' ')[1];
    }

    /// <summary>The events through `opsctl local --explain` on this test's state: every delivery, and the explained run.</summary>
    private async Task<(List<JsonElement> Deliveries, string Err)> ReplayAsync(params string[] events)
    {
        var eventsFile = Path.Combine(_state, "incident.jsonl");
        await File.WriteAllLinesAsync(eventsFile, events);
        var outFile = Path.Combine(_state, "deliveries.jsonl");

        var (exit, _, err) = await Opsctl("local", "--state", _state, "--out", outFile, "--explain", eventsFile);

        Assert.True(exit == 0, err);
        return ((await File.ReadAllLinesAsync(outFile)).Select(l => JsonDocument.Parse(l).RootElement).ToList(), err);
    }
}
