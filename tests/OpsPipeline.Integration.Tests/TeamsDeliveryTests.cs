using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>A Teams receiver through the whole local stack: Decide, the state machine, Deliver and the local receiver.</summary>
[Trait("Category", "Integration")]
public class TeamsDeliveryTests
{
    private const string Config = """
        receivers:
          - name: chat
            teams: { webhookUrlParameter: /ops/teams/chat }
        route:
          receiver: chat
          groupWait: 0s
        """;

    [Fact]
    public async Task Run_WhenAnAlarmFiresAndResolvesToTeams_ShouldRecordBothCardsEvenAfterAThrottle()
    {
        var events = new[]
        {
            StateChange("checkout-api-5xx", "ALARM", T0),
            StateChange("checkout-api-5xx", "OK", T0.AddMinutes(5), previous: "ALARM"),
        };

        var (summary, outbound, parked, err) = await TestConfig.RunAsync(
            events,
            TestConfig.Inline(Config),
            stack => stack.Faults.Script("chat", new ReceiverAnswer(429, RetryAfter: TimeSpan.FromSeconds(1))));

        Assert.True(parked.Count == 0, err);
        Assert.Equal([("chat", "teams", "trigger"), ("chat", "teams", "resolve")], outbound.Select(o => (o.Receiver, o.Channel, o.Action)));
        Assert.All(outbound, o => Assert.Equal(
            "application/vnd.microsoft.card.adaptive",
            o.Payload.GetProperty("attachments")[0].GetProperty("contentType").GetString()));
        Assert.Equal((2, 0), (summary.Deliveries, summary.FailedDeliveriesParked));
    }
}
