using System.Text.Json;
using OpsCtl.Local;
using OpsPipeline.Core.Decisions;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>`opsctl alert explain KEY` (issue 18): one alert's history of decisions, read from its state item.</summary>
[Trait("Category", "Integration")]
public sealed class AlertExplainTests : IDisposable
{
    private const string Key = "123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-db-latency";

    private readonly StateDirectory _dir = new("alert-explain");

    public void Dispose() => _dir.Dispose();

    /// <summary>checkout-db-latency fires under a silence (09:00 to 09:10), is sent when the silence ends, then resolves.</summary>
    private async Task<string> SilencedThenReleasedAsync()
    {
        var silence = await Opsctl("silence", "add", "alarmName=checkout-db-latency", "--starts", "2026-03-02T09:00:00Z", "--ends", "2026-03-02T09:10:00Z", "--comment", "INC-7", "--author", "alice", "--state", _dir.Path);
        Assert.True(silence.Exit == 0, silence.Err);
        var events = _dir.File("events.jsonl");
        await File.WriteAllLinesAsync(events,
        [
            StateChange("checkout-db-latency", "ALARM", T0.AddMinutes(1), id: "evt-alarm"),
            StateChange("checkout-db-latency", "OK", T0.AddMinutes(20), id: "evt-ok", previous: "ALARM"),
            StateChange("checkout-api-5xx", "ALARM", T0.AddMinutes(21), id: "evt-other"),
        ]);
        var run = await Opsctl("local", "--state", _dir.Path, "--out", _dir.File("out.jsonl"), events);
        Assert.True(run.Exit == 0, run.Err);
        return silence.Out.Split(' ')[1]; // "silence ID added: …"
    }

    [Fact]
    public async Task AlertExplain_WhenAnAlertWasSilencedReleasedAndResolved_ShouldListEachDecisionWithWhoWasToldAndWhatMutedIt()
    {
        var id = await SilencedThenReleasedAsync();

        var (exit, output, err) = await Opsctl("alert", "explain", "checkout-db-latency", "--state", _dir.Path);

        Assert.True(exit == 0, err);
        Assert.Equal(string.Join("\n", [
            "checkout-db-latency (123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-db-latency)",
            "now OK since 2026-03-02T09:20:00Z; told firing: -; muted by: -",
            "TIME                  ON                                               DECISION    TOLD    MUTED BY                                                                                        REASON",
            $"2026-03-02T09:01:00Z  ALARM at 2026-03-02T09:01:00Z (event evt-alarm)  suppressed  -       silenced by {id} ({{alarmName=checkout-db-latency}} until 2026-03-02T09:10Z by alice: INC-7)  suppressed: silenced by {id} ({{alarmName=checkout-db-latency}} until 2026-03-02T09:10Z by alice: INC-7)",
            $"2026-03-02T09:10:00Z  tick                                             notify      oncall  -                                                                                               notify: no longer suppressed (silenced by {id} ({{alarmName=checkout-db-latency}} until 2026-03-02T09:10Z by alice: INC-7) ended)",
            "2026-03-02T09:20:00Z  OK at 2026-03-02T09:20:00Z (event evt-ok)        notify      oncall  -                                                                                               notify: resolve to oncall",
            string.Empty,
        ]), output.ReplaceLineEndings("\n"));
        }

    [Fact]
    public async Task AlertExplain_WhenJsonIsAsked_ShouldPrintOneObjectPerDecisionOldestFirst()
    {
        await SilencedThenReleasedAsync();

        var (exit, output, err) = await Opsctl("alert", "explain", Key, "--json", "--state", _dir.Path);

        Assert.True(exit == 0, err);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
        [
            ("2026-03-02T09:01:00Z", "ALARM at 2026-03-02T09:01:00Z (event evt-alarm)", "suppressed", ""),
            ("2026-03-02T09:10:00Z", "tick", "notify", "oncall"),
            ("2026-03-02T09:20:00Z", "OK at 2026-03-02T09:20:00Z (event evt-ok)", "notify", "oncall"),
        ], rows.Select(r => (r.GetProperty("at").GetString(), r.GetProperty("on").GetString(), r.GetProperty("decision").GetString(),
            string.Join(",", r.GetProperty("told").EnumerateArray().Select(t => t.GetString())))));
        Assert.All(rows, r => Assert.Equal((Key, "checkout-db-latency"), (r.GetProperty("alertKey").GetString(), r.GetProperty("name").GetString())));
        Assert.StartsWith("silenced by ", rows[0].GetProperty("mutedBy").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("mutedBy").ValueKind);
        Assert.Equal("notify: resolve to oncall", rows[2].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AlertExplain_WhenTheKeyIsUnknown_ShouldExitTwoWithOneLineNamingTheNearestAlert()
    {
        await SilencedThenReleasedAsync();

        var (exit, output, err) = await Opsctl("alert", "explain", "checkout-db-latncy", "--state", _dir.Path);
        var (farExit, _, farErr) = await Opsctl("alert", "explain", "nothing-like-it-at-all", "--state", _dir.Path);

        Assert.Equal((2, string.Empty), (exit, output));
        Assert.Equal("opsctl alert explain: no alert 'checkout-db-latncy' in state; did you mean 'checkout-db-latency'?\n", err.ReplaceLineEndings("\n"));
        Assert.Equal(2, farExit);
        Assert.Equal("opsctl alert explain: no alert 'nothing-like-it-at-all' in state; opsctl alert query lists them\n", farErr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task AlertExplain_WhenNoKeyIsGiven_ShouldBeAUsageError()
    {
        var (exit, _, err) = await Opsctl("alert", "explain", "--state", _dir.Path);

        Assert.Equal(2, exit);
        Assert.Single(err.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("opsctl alert explain: ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_WhenFullOfDecisionsAtEveryBound_ShouldAddAtMostFiveWriteUnitsToTheAlertItem()
    {
        // The worst case DecisionHistory allows: 10 records, each origin, reason and mute at its cut, 8 receivers named.
        // The item is packed and compressed, so the worst case is text that does not compress: random letters (measured:
        // 5 units, where the 7 of the item with every attribute named was for any text; repeated letters now add none).
        var random = new Random(18);
        string Text(int length) => string.Concat(Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(26))));
        double empty = 0, full = 0;
        var (summary, _, _) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = TestConfig.AlarmsOnly(),
            Inputs = [new EventInput("event[0]", StateChange("checkout-api-5xx", "ALARM", T0, id: "evt-size"))],
            Out = TextWriter.Null,
            Err = TextWriter.Null,
            InspectAsync = async stack =>
            {
                var store = stack.Runtime.AlertStates;
                var state = Assert.Single(await store.AllAsync(default)) with { History = [] };
                var worst = Enumerable.Range(0, DecisionHistory.Remembered + 2).Aggregate(state, (s, i) => DecisionHistory.Append(s, new DecisionRecord(
                    T0.AddMinutes(i), Text(500), "suppressed", Text(1000), [.. Enumerable.Range(0, 20).Select(j => $"receiver-{j:00}-{Text(8)}")], Text(1000))));
                var before = stack.DynamoCounter.WriteUnits;
                Assert.True(await store.TryWriteAsync(state with { Version = state.Version + 1 }, state.Version, default));
                var between = stack.DynamoCounter.WriteUnits;
                Assert.True(await store.TryWriteAsync(worst with { Version = state.Version + 2 }, state.Version + 1, default));
                (empty, full) = (between - before, stack.DynamoCounter.WriteUnits - between);
                var read = Assert.Single(await store.AllAsync(default));
                Assert.Equal(worst.History, read.History, (a, b) => a.At == b.At && a.On == b.On && a.Reason == b.Reason && a.Told.SequenceEqual(b.Told) && a.MutedBy == b.MutedBy);
            },
        });

        Assert.Equal(0, summary.ExecutionsFailed);
        Assert.True(full - empty is >= 1 and <= 5, $"the item without history cost {empty} write units, with a full one {full}");
    }

    [Fact]
    public async Task AlertExplain_WhenTwoRegionsHaveAnAlarmOfThatName_ShouldRefuseTheNameAndListBothKeys()
    {
        var events = _dir.File("events.jsonl");
        await File.WriteAllLinesAsync(events,
        [
            StateChange("orders-api-latency", "ALARM", T0, id: "evt-east"),
            StateChange("orders-api-latency", "ALARM", T0.AddMinutes(1), id: "evt-west").Replace("us-east-1", "eu-west-1", StringComparison.Ordinal),
        ]);
        var run = await Opsctl("local", "--state", _dir.Path, "--out", _dir.File("out.jsonl"), events);
        Assert.True(run.Exit == 0, run.Err);

        var (exit, _, err) = await Opsctl("alert", "explain", "orders-api-latency", "--state", _dir.Path);
        var (byKey, output, keyErr) = await Opsctl("alert", "explain", "123456789012:eu-west-1:arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-latency", "--state", _dir.Path);

        Assert.Equal(2, exit);
        Assert.Equal(
            "opsctl alert explain: 2 alerts are named 'orders-api-latency' (one per account and region); give one key: "
            + "123456789012:eu-west-1:arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-latency, "
            + "123456789012:us-east-1:arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-latency\n",
            err.ReplaceLineEndings("\n"));
        Assert.True(byKey == 0, keyErr);
        Assert.Contains("ALARM at 2026-03-02T09:01:00Z (event evt-west)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("evt-east", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertExplain_WhenTheStateWasWrittenWithoutAHistory_ShouldSaySoAndShowTheLastDecision()
    {
        // State an older pipeline wrote: no history attribute, only the last decision.
        await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = TestConfig.AlarmsOnly(),
            Inputs = [new EventInput("event[0]", StateChange("checkout-api-5xx", "ALARM", T0, id: "evt-old"))],
            Out = TextWriter.Null,
            Err = TextWriter.Null,
            StateDir = _dir.Path,
            InspectAsync = async stack =>
            {
                var state = Assert.Single(await stack.Runtime.AlertStates.AllAsync(default));
                Assert.True(await stack.Runtime.AlertStates.TryWriteAsync(state with { History = [], Version = state.Version + 1 }, state.Version, default));
            },
        });

        var (exit, output, err) = await Opsctl("alert", "explain", "checkout-api-5xx", "--state", _dir.Path);

        Assert.True(exit == 0, err);
        Assert.EndsWith("\nno decision history kept; last decision: notify: trigger to oncall\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
