using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Stages.Muting;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>The CloudWatch muter on its own: what the alarm's newest event says, at a given time.</summary>
public class CloudWatchMuterTests
{
    private const string RuleArn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:nightly";

    private static readonly Alert Firing = Alert(Core.Configuration.ConfigLoader.Load(DecisionConfigs.Immediate(), "t.yaml"), "billing-api-5xx", "ALARM", T0);

    private static Suppression? Mutes(Alert alert, DateTimeOffset now) => new CloudWatchMuter().Mutes(alert, DecisionContext.Empty, now);

    [Theory]
    [InlineData(-10, 50, 0, true)]    // window contains the transition, not ended
    [InlineData(-10, 50, 49, true)]
    [InlineData(-10, 50, 50, false)]  // ended exactly now
    [InlineData(0, 50, 0, true)]      // starts at the transition
    [InlineData(1, 50, 1, false)]     // starts after the transition
    [InlineData(-60, -1, 0, false)]   // ended before the transition
    public void Mutes_WhenAMuteRuleIsSet_ShouldMuteOnlyWhileItsWindowContainsTheTransitionAndHasNotEnded(int startMinutes, int endMinutes, int nowMinutes, bool muted)
    {
        var alert = Firing with { MuteRule = new AlarmMuteWindow(RuleArn, T0.AddMinutes(startMinutes), T0.AddMinutes(endMinutes)) };

        var suppression = Mutes(alert, T0.AddMinutes(nowMinutes));

        Assert.Equal(muted, suppression is not null);
        if (suppression is not null)
        {
            Assert.Equal((SuppressionKind.MuteRule, RuleArn, T0.AddMinutes(endMinutes)), (suppression.Kind, suppression.Id, suppression.Until));
        }
    }

    [Fact]
    public void Mutes_WhenSuppressedByAnAlarm_ShouldMuteAndBeRecheckedEveryMinuteWithTheSameCause()
    {
        var alert = Firing with { ActionsSuppressed = new ActionsSuppression("Alarm", "payments-maintenance", null) };

        var first = Mutes(alert, T0)!;
        var later = Mutes(alert, T0.AddHours(3))!;

        Assert.Equal("suppressed: actions suppressed by payments-maintenance (Alarm)", first.Reason);
        Assert.Equal((T0 + InhibitionMuter.Recheck, T0.AddHours(3) + InhibitionMuter.Recheck), (first.Until, later.Until));
        Assert.True(later.SameCause(first));
    }

    [Fact]
    public void Mutes_WhenSuppressedForAPeriod_ShouldMuteUntilThePeriodEnds()
    {
        var alert = Firing with { ActionsSuppressed = new ActionsSuppression("ExtensionPeriod", "payments-maintenance", T0.AddMinutes(3)) };

        Assert.Equal(T0.AddMinutes(3), Mutes(alert, T0.AddMinutes(2))?.Until);
        Assert.Null(Mutes(alert, T0.AddMinutes(3)));
    }

    [Fact]
    public void Mutes_WhenTheEventSaysNothing_ShouldNotMute() => Assert.Null(Mutes(Firing, T0));
}
