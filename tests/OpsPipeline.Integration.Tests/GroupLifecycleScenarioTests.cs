using System.Text.Json;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// A group's lifecycle as in Alertmanager (issue 16) through `opsctl local --clock event` (the real ASL, handlers,
/// DynamoDB and Tick at every minute boundary): each update of a group lists what is new, what still fires (named from
/// the group's record in the table) and what resolved.
/// </summary>
[Trait("Category", "Integration")]
public class GroupLifecycleScenarioTests
{
    /// <summary>The same config as the grid's scenarios: billing tells the team (Slack) by service, 30 s wait, 5 m interval.</summary>
    private const string Config = GroupGridScenarioTests.Config;

    private static DateTimeOffset At(int hour, int minute, int second = 0) => GroupGridScenarioTests.At(hour, minute, second);

    /// <summary>A Slack message as its reader sees it: each block's texts, in order (fields joined by " | ").</summary>
    private static List<string> Texts(JsonElement payload) =>
        [.. payload.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("type").GetString() switch
        {
            "header" => b.GetProperty("text").GetProperty("text").GetString()!,
            "context" => b.GetProperty("elements")[0].GetProperty("text").GetString()!,
            _ when b.TryGetProperty("fields", out var fields) => string.Join(" | ", fields.EnumerateArray().Select(f => f.GetProperty("text").GetString())),
            _ => b.GetProperty("text").GetProperty("text").GetString()!,
        })];

    private static string Entry(string alarm, string state, string reason) =>
        $"*<https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/{alarm}|{alarm}>* · {state} · warning\n{alarm} is {state}: {reason}";

    [Fact]
    public async Task GroupUpdate_WhenOneOfThreeResolves_ShouldTellSlackItResolvedAndNameTheTwoStillFiring()
    {
        var (_, outbound, _, err) = await TestConfig.RunAsync(
        [
            StateChange("billing-api-5xx", "ALARM", T0),
            StateChange("billing-db-errors", "ALARM", T0.AddSeconds(5)),
            StateChange("billing-queue-depth", "ALARM", T0.AddSeconds(10)),
            // Held for the group's next update, at 09:06 on its grid.
            StateChange("billing-db-errors", "OK", At(9, 3), previous: "ALARM"),
            // Only moves the clock on.
            StateChange("billing-invoice-lag", "OK", At(9, 10)),
        ], TestConfig.Inline(Config));

        Assert.Equal([("team", "digest", At(9, 1)), ("team", "digest", At(9, 6))], outbound.Select(o => (o.Receiver, o.Action, o.At)));
        Assert.Equal(":rotating_light: [FIRING x3] service=billing: 3 alerts firing, worst severity warning", outbound[0].Payload.GetProperty("text").GetString());
        Assert.Equal("*New (3)*", Texts(outbound[0].Payload)[2]);
        Assert.Equal(
            ":rotating_light: [FIRING x2, RESOLVED x1] service=billing: 3 alerts (2 firing, 1 resolved), worst severity warning",
            outbound[1].Payload.GetProperty("text").GetString());
        Assert.Equal(
            [
                ":rotating_light: [FIRING x2, RESOLVED x1] service=billing",
                "*Alerts*\n3 alerts (2 firing, 1 resolved) | *Worst severity*\nwarning | *Group*\nservice=billing",
                "*Still firing (2)*",
                "billing-api-5xx (warning), billing-queue-depth (warning)",
                "*Resolved (1)*",
                Entry("billing-db-errors", "OK", "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0)."),
                "Group key: root:{service=\"billing\"}",
            ],
            Texts(outbound[1].Payload));
        Assert.DoesNotContain("group records not read", err, StringComparison.Ordinal);
    }
}
