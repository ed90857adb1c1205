using System.Globalization;
using System.Text.Json.Nodes;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Events;
using static OpsPipeline.Core.Tests.Decisions.AlarmEvents;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// CloudWatch's own muting: an alarm inside an active alarm mute rule, or a composite alarm whose actions CloudWatch
/// suppressed, is recorded as muted and not sent; once the window or the suppression ends and it still fires, it is sent.
/// </summary>
public class CloudWatchMuteTests
{
    private const string Billing = "billing-api-5xx";
    private const string RuleArn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:billing-deploy";

    /// <summary>A transition of <paramref name="alarmName"/> as CloudWatch sends it, with muteDetail and actions suppression when given.</summary>
    internal static Alert Event(
        InMemoryPipeline run,
        string alarmName,
        string state,
        DateTimeOffset at,
        (string Start, string End)? mute = null,
        string? suppressedBy = null)
    {
        var e = JsonNode.Parse(Json(alarmName, state, at))!;
        var detail = e["detail"]!;
        if (mute is { } m)
        {
            detail["muteDetail"] = new JsonObject { ["mutedByArn"] = RuleArn, ["muteWindowStart"] = m.Start, ["muteWindowEnd"] = m.End };
        }

        if (suppressedBy is not null)
        {
            detail["state"]!["actionsSuppressedBy"] = suppressedBy;
            detail["state"]!["actionsSuppressedReason"] = $"Actions suppressed by {suppressedBy}";
            detail["configuration"]!["actionsSuppressor"] = "payments-maintenance";
            detail["configuration"]!["actionsSuppressorWaitPeriod"] = 120;
            detail["configuration"]!["actionsSuppressorExtensionPeriod"] = 180;
        }

        return AlertNormalizer.Normalize(EventParser.Parse(e.ToJsonString()), run.Config.Alarms);
    }

    private static string Aws(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000";

    private static (string, string) Window(TimeSpan from, TimeSpan to) => (Aws(T0 + from), Aws(T0 + to));

    [Fact]
    public void Decide_WhenAMuteRuleWindowContainsTheTransition_ShouldRecordItMutedNamingTheRuleAndSendNothing()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var decision = run.Apply(Event(run, Billing, "ALARM", T0, mute: Window(TimeSpan.FromMinutes(-10), TimeSpan.FromMinutes(50))));

        const string reason = "suppressed: muted by CloudWatch mute rule arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:billing-deploy until 2026-03-10T09:50:05Z";
        Assert.Equal((DecisionKinds.Suppressed, reason), (decision.Decision, decision.Reason));
        var state = run.State(Billing)!;
        Assert.Equal((SuppressionKind.MuteRule, RuleArn, T0.AddMinutes(50)), (state.Suppressed!.Kind, state.Suppressed.Id, state.Suppressed.Until));
        Assert.Equal(T0.AddMinutes(50), state.DueAt);
        Assert.Empty(run.Sent);
    }

    [Fact]
    public void Tick_WhenTheMuteWindowEndsWhileStillFiring_ShouldSendOneTriggerThen()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Apply(Event(run, Billing, "ALARM", T0, mute: Window(TimeSpan.FromMinutes(-10), TimeSpan.FromMinutes(50))));

        run.AdvanceTo(T0.AddMinutes(49));
        Assert.Empty(run.Sent);
        run.AdvanceBy(TimeSpan.FromMinutes(5));

        var sent = Assert.Single(run.Sent);
        Assert.Equal(("tick", "team", "trigger"), (sent.By, sent.Delivery.Receiver, sent.Delivery.Action));
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 51, 0, TimeSpan.Zero), sent.At);
        Assert.Equal($"notify: no longer suppressed (muted by CloudWatch mute rule {RuleArn} until 2026-03-10T09:50:05Z ended)", run.State(Billing)!.LastReason);
    }

    [Fact]
    public void Decide_WhenTheAlarmResolvesInsideTheMuteWindow_ShouldNeverSendIt()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        var window = Window(TimeSpan.FromMinutes(-10), TimeSpan.FromMinutes(50));
        run.Apply(Event(run, Billing, "ALARM", T0, mute: window));

        run.Apply(Event(run, Billing, "OK", T0.AddMinutes(20), mute: window));
        run.AdvanceBy(TimeSpan.FromHours(2));

        Assert.Empty(run.Sent);
        Assert.Null(run.State(Billing)!.Suppressed);
    }

    [Fact]
    public void Decide_WhenTheMuteWindowDoesNotContainTheTransition_ShouldSendAndSayWhyItWasNotMuted()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var decision = run.Apply(Event(run, Billing, "ALARM", T0, mute: Window(TimeSpan.FromHours(13), TimeSpan.FromHours(14))));

        Assert.Equal("notify: trigger to team", decision.Reason);
        Assert.Contains($"not muted by CloudWatch: mute rule {RuleArn}'s window 2026-03-10T22:00:05Z to 2026-03-10T23:00:05Z does not contain the transition", decision.Path);
    }

    [Theory]
    [InlineData("2026-03-10T09:30:00.000+0000", "2026-03-10T08:30:00.000+0000", "not muted by CloudWatch: muteDetail: the window ends (2026-03-10T08:30:00.000+0000) before it starts (2026-03-10T09:30:00.000+0000); muteDetail ignored")]
    [InlineData("2026-03-01T00:00:00.000+0000", "2026-04-01T00:00:00.000+0000", "not muted by CloudWatch: muteDetail: the window from 2026-03-01T00:00:00.000+0000 to 2026-04-01T00:00:00.000+0000 is longer than the 15 days a mute rule can last; muteDetail ignored")]
    [InlineData("0001-01-01T00:00:00.000+0000", "2026-03-10T10:00:00.000+0000", "not muted by CloudWatch: muteDetail.muteWindowStart: 0001-01-01T00:00:00.000+0000 is before 2000-01-01T00:00:00.000+0000; muteDetail ignored")]
    [InlineData("2026-03-10T08:00:00.000+0000", "9999-12-31T23:59:59.000+0000", "not muted by CloudWatch: muteDetail: the window from 2026-03-10T08:00:00.000+0000 to 9999-12-31T23:59:59.000+0000 is longer than the 15 days a mute rule can last; muteDetail ignored")]
    [InlineData("yesterday", "2026-03-10T10:00:00.000+0000", "not muted by CloudWatch: muteDetail.muteWindowStart: 'yesterday' is not a time; muteDetail ignored")]
    public void Decide_WhenTheMuteWindowIsImplausible_ShouldIgnoreItSendTheAlarmAndSayWhy(string start, string end, string why)
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var decision = run.Apply(Event(run, Billing, "ALARM", T0, mute: (start, end)));

        Assert.Equal((DecisionKinds.Notify, "notify: trigger to team"), (decision.Decision, decision.Reason));
        Assert.Contains(why, decision.Path);
        Assert.Equal(("team", "trigger", Billing), Assert.Single(run.Deliveries()));
    }

    [Fact]
    public void Decide_WhenACompositeAlarmsActionsAreSuppressedByItsSuppressor_ShouldRecordItMutedUntilANewerEventClearsIt()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var muted = run.Apply(Event(run, Billing, "ALARM", T0, suppressedBy: "Alarm"));
        run.AdvanceBy(TimeSpan.FromMinutes(30));

        Assert.Equal((DecisionKinds.Suppressed, "suppressed: actions suppressed by payments-maintenance (Alarm)"), (muted.Decision, muted.Reason));
        Assert.Empty(run.Sent);
        Assert.Equal(SuppressionKind.ActionsSuppressed, run.State(Billing)!.Suppressed!.Kind);

        // The suppressor left ALARM and its extension ended: CloudWatch sends the composite's ALARM again, unsuppressed.
        var cleared = run.Apply(Event(run, Billing, "ALARM", T0.AddMinutes(33)));

        Assert.Equal("notify: trigger to team", cleared.Reason);
        Assert.Equal(("team", "trigger", Billing), Assert.Single(run.Deliveries()));
        Assert.Null(run.State(Billing)!.Suppressed);
    }

    [Fact]
    public void Tick_WhenTheSuppressorsWaitPeriodEndsWhileStillFiring_ShouldSendOneTrigger()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());

        var muted = run.Apply(Event(run, Billing, "ALARM", T0, suppressedBy: "WaitPeriod"));
        run.AdvanceBy(TimeSpan.FromMinutes(1));
        Assert.Empty(run.Sent);
        run.AdvanceBy(TimeSpan.FromMinutes(2));

        Assert.Equal("suppressed: actions suppressed by payments-maintenance (WaitPeriod until 2026-03-10T09:02:05Z)", muted.Reason);
        var sent = Assert.Single(run.Sent);
        Assert.Equal(("tick", "team", "trigger"), (sent.By, sent.Delivery.Receiver, sent.Delivery.Action));
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 9, 3, 0, TimeSpan.Zero), sent.At);
    }

    [Fact]
    public void Decide_WhenASilenceAndAMuteRuleBothMute_ShouldNameTheSilence()
    {
        var run = new InMemoryPipeline(DecisionConfigs.Immediate());
        run.Silences.Add(new Silences.Silence { Id = "sil-1", Matchers = new Dictionary<string, string> { ["alarmName"] = Billing }, StartsAt = T0.AddMinutes(-5), EndsAt = T0.AddHours(1), CreatedBy = "alice", Comment = "deploy" });

        var decision = run.Apply(Event(run, Billing, "ALARM", T0, mute: Window(TimeSpan.FromMinutes(-10), TimeSpan.FromMinutes(50))));

        Assert.StartsWith("suppressed: silenced by sil-1", decision.Reason, StringComparison.Ordinal);
    }
}
