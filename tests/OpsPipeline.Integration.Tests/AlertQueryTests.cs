using System.Text.Json;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>`opsctl alert query` (issue 18, amtool parity): what is in state now, and why, filtered by label matchers.</summary>
[Trait("Category", "Integration")]
public sealed class AlertQueryTests : IDisposable
{
    private readonly StateDirectory _dir = new("alert-query");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AlertQuery_WhenAlertsAreInState_ShouldListEachWithItsStateWhoWasToldAndWhatMutesIt()
    {
        var silence = await Opsctl("silence", "add", "alarmName=checkout-db-latency", "--starts", "2026-03-02T09:00:00Z", "--ends", "2026-03-02T11:00:00Z", "--comment", "INC-7", "--state", _dir.Path);
        Assert.True(silence.Exit == 0, silence.Err);
        var events = Path.Combine(_dir.Path, "events.jsonl");
        await File.WriteAllLinesAsync(events,
        [
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-db-latency", "ALARM", T0.AddMinutes(1)),
            StateChange("billing-export-lag", "ALARM", T0.AddMinutes(2)),
        ]);
        var run = await Opsctl("local", "--state", _dir.Path, "--out", Path.Combine(_dir.Path, "out.jsonl"), events);
        Assert.True(run.Exit == 0, run.Err);

        var (exit, json, err) = await Opsctl("alert", "query", "--json", "--state", _dir.Path, "service=checkout");
        var (_, text, _) = await Opsctl("alert", "query", "--state", _dir.Path, "--firing");
        var (bad, _, badErr) = await Opsctl("alert", "query", "--state", _dir.Path, "service!checkout");

        Assert.True(exit == 0, err);
        var rows = json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["checkout-api-5xx", "checkout-db-latency"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(("ALARM", "2026-03-02T09:00:00Z"), (rows[0].GetProperty("state").GetString(), rows[0].GetProperty("since").GetString()));
        Assert.Equal(["oncall"], rows[0].GetProperty("toldFiring").EnumerateArray().Select(r => r.GetString()));
        Assert.StartsWith("silenced by ", rows[1].GetProperty("mutedBy").GetString(), StringComparison.Ordinal);
        Assert.Empty(rows[1].GetProperty("toldFiring").EnumerateArray());
        Assert.Contains("billing-export-lag", text, StringComparison.Ordinal);
        Assert.StartsWith("ALERT", text, StringComparison.Ordinal);
        Assert.Equal(2, bad);
        Assert.Contains("opsctl alert query: matcher 'service!checkout':", badErr, StringComparison.Ordinal);
    }
}
