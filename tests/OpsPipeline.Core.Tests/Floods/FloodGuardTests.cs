using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Floods;
using OpsPipeline.Core.Notifiers.PagerDuty;
using OpsPipeline.Core.Notifiers.Slack;

namespace OpsPipeline.Core.Tests.Floods;

public class FloodGuardTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 10, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<DateTimeOffset> MinutesAgo(params int[] minutes) => [.. minutes.Select(m => Now.AddMinutes(-m))];

    [Theory]
    [InlineData(0, new[] { "repeat" }, 1, 0)]          // room
    [InlineData(9, new[] { "repeat", "repeat" }, 1, 1)] // one slot left
    [InlineData(10, new[] { "repeat" }, 0, 1)]          // at the cap
    [InlineData(10, new[] { "resolve", "flood" }, 2, 0)] // always sent, at the cap too
    [InlineData(10, new[] { "trigger" }, 0, 1)]          // a trigger that is not its episode's first is capped
    [InlineData(10, new[] { "flapping", "digest", "budget", "dlq" }, 0, 4)]
    public void ForAlert_WhenTheHourHoldsSomeSends_ShouldHoldWhatIsOverTheCapButNeverTriggersOrResolves(int sentWithinHour, string[] actions, int sent, int held)
    {
        var recent = MinutesAgo([.. Enumerable.Range(1, sentWithinHour)]);

        var (s, h, after) = FloodGuard.ForAlert(recent, actions, a => FloodGuard.AlwaysSent(a), Now, cap: 10);

        Assert.Equal(sent, s.Count);
        Assert.Equal(held, h.Count);
        Assert.True(after.Count <= 10);
        Assert.All(after, t => Assert.True(t > Now - FloodGuard.AlertWindow));
    }

    [Fact]
    public void AlwaysSent_WhenADeliveryIsItsEpisodesFirst_ShouldNeverBeHeld()
    {
        Delivery Of(string action, bool essential) => new()
        {
            Receiver = "team", Channel = SlackNotifier.ChannelName, Action = action, AlertKey = "k", DedupKey = "k", Essential = essential,
            Target = new DeliveryTarget(), PayloadUtf8 = "{}"u8.ToArray(),
        };
        var recent = MinutesAgo([.. Enumerable.Range(1, 10)]);

        var (sent, held, _) = FloodGuard.ForAlert(recent, [Of("trigger", true), Of("digest", true), Of("dlq", true), Of("repeat", false), Of("digest", false)], FloodGuard.AlwaysSent, Now, cap: 10);

        Assert.Equal(["trigger", "digest", "dlq"], sent.Select(d => d.Action));
        Assert.Equal(["repeat", "digest"], held.Select(d => d.Action));
    }

    [Fact]
    public void ForAlert_WhenOldSendsLeaveTheWindow_ShouldSendAgain()
    {
        var recent = MinutesAgo(61, 62, 63, 64, 65, 66, 67, 68, 69, 70); // ten, all over an hour ago

        var (sent, held, after) = FloodGuard.ForAlert(recent, ["repeat"], a => FloodGuard.AlwaysSent(a), Now, cap: 10);

        Assert.Single(sent);
        Assert.Empty(held);
        Assert.Equal([Now], after);
    }

    [Fact]
    public void ForAlert_WhenAStormRepeatsEveryMinuteForADay_ShouldNeverSendMoreThanTheCapInAnyHour()
    {
        IReadOnlyList<DateTimeOffset> recent = [];
        var sentAt = new List<DateTimeOffset>();
        for (var m = 0; m < 24 * 60; m++)
        {
            var at = Now.AddMinutes(m);
            var (sent, _, after) = FloodGuard.ForAlert(recent, ["repeat"], a => FloodGuard.AlwaysSent(a), at, cap: 10);
            sentAt.AddRange(sent.Select(_ => at));
            recent = after;
        }

        Assert.All(sentAt, t => Assert.True(sentAt.Count(u => u > t - FloodGuard.AlertWindow && u <= t) <= 10));
        Assert.Equal(24 * 10, sentAt.Count); // and it does send, ten an hour
    }

    [Fact]
    public void Config_WhenLeftOut_ShouldCapAlertsAtTenAnHourAndReceiversUnderTheirRateLimits()
    {
        var guard = new FloodGuardConfig();

        Assert.Equal(10, guard.AlertPerHour);
        Assert.Equal(60, guard.ReceiverCap(PagerDutyNotifier.ChannelName));
        Assert.Equal(20, guard.ReceiverCap(SlackNotifier.ChannelName));
        Assert.Equal(new Defaults(), new Defaults());
    }

    [Fact]
    public void Config_WhenGiven_ShouldOverrideOnlyWhatItNames()
    {
        var config = ConfigLoader.Load("defaults:\n  floodGuard: { alertPerHour: 3, receiverPerMinute: { slack: 5 } }\nreceivers:\n  - name: team\n    slack: { webhookUrlParameter: /ops/slack/team }\nroute:\n  receiver: team\n", "c.yaml");

        Assert.Equal(3, config.Defaults.FloodGuard.AlertPerHour);
        Assert.Equal(5, config.Defaults.FloodGuard.ReceiverCap(SlackNotifier.ChannelName));
        Assert.Equal(60, config.Defaults.FloodGuard.ReceiverCap(PagerDutyNotifier.ChannelName));
    }
}
