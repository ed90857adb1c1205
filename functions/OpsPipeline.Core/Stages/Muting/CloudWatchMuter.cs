using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Stages.Muting;

/// <summary>
/// Honours CloudWatch's own muting as the alarm's newest event told it: an alarm mute rule whose window contains the
/// transition mutes it until the window ends; a composite alarm's actions suppression mutes it until its wait or
/// extension period ends, or (suppressed by an alarm in ALARM) until a newer event of the alarm clears it.
/// </summary>
public sealed class CloudWatchMuter : IMuter
{
    public Suppression? Mutes(Alert alert, DecisionContext context, DateTimeOffset now)
    {
        if (alert.MuteRule is { } rule && Covers(rule, alert.StateTimestamp) && now < rule.End)
        {
            return new Suppression(SuppressionKind.MuteRule, rule.RuleArn, rule.End, rule.RuleArn);
        }

        return alert.ActionsSuppressed switch
        {
            { Until: { } until } s when now < until => new Suppression(SuppressionKind.ActionsSuppressed, s.Suppressor, until, $"{s.By} until {DecisionText.Format(until)}"),
            { Until: null } s => new Suppression(SuppressionKind.ActionsSuppressed, s.Suppressor, now + InhibitionMuter.Recheck, s.By),
            _ => null,
        };
    }

    /// <summary>For the decision path: why CloudWatch's muting in the event does not mute this alert, if the event had any.</summary>
    public static string? NotMuted(Alert alert, DateTimeOffset now) => alert switch
    {
        { MuteIgnored: { } ignored } => ignored,
        { MuteRule: { } rule } when !Covers(rule, alert.StateTimestamp) =>
            $"not muted by CloudWatch: mute rule {rule.RuleArn}'s window {DecisionText.Format(rule.Start)} to {DecisionText.Format(rule.End)} does not contain the transition",
        { MuteRule: { } rule } when now >= rule.End => $"not muted by CloudWatch: mute rule {rule.RuleArn}'s window ended at {DecisionText.Format(rule.End)}",
        _ => null,
    };

    private static bool Covers(AlarmMuteWindow rule, DateTimeOffset transition) => rule.Start <= transition && transition < rule.End;
}
