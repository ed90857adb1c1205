using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Floods;

namespace OpsPipeline.Core.Stages.Floods;

/// <summary>
/// The flood guard's cap per alert: beyond <c>defaults.floodGuard.alertPerHour</c> notifications within the hour, what
/// a decision would send is held ("rate limited") and recorded on the alert. An episode's first notification and
/// resolves always go out (they count).
/// </summary>
public sealed class AlertFloodStage(StageSettings settings)
{
    private int PerHour => settings.Config.Defaults.FloodGuard.AlertPerHour;

    /// <summary>After the decision: what Decide sends, capped; <see cref="Decision.Held"/> names what was held.</summary>
    public Decision Cap(EventStep step, Decision decision)
    {
        if (decision.NewState is not { } next)
        {
            return decision;
        }

        // Not yet told firing in this episode: what goes out now is its first notification, which is never held.
        var first = step.Stored?.NotifiedStatus != AlertStatus.Firing;
        var notifications = first ? [.. decision.Notifications.Select(n => n with { Essential = true })] : decision.Notifications;
        var (sent, over, recent) = FloodGuard.ForAlert(step.Stored?.RecentSends ?? [], notifications, n => n.Essential || FloodGuard.AlwaysSent(n.Action), step.Now, PerHour);
        var reason = over.Count > 0 ? $"{decision.Reason}; {FloodGuard.HeldReason(over.Count, PerHour)}" : decision.Reason;
        return decision with
        {
            Notifications = sent,
            Held = over,
            Reason = reason,
            NewState = next with { RecentSends = recent, LastReason = over.Count > 0 ? reason : next.LastReason },
        };
    }

    /// <summary>
    /// Tick time, the same cap: a repeat storm stops at the cap. A tick's triggers and group flushes are an alert's
    /// first notification of its episode (a group's wait ended, a silence or an inhibition released it): never held.
    /// </summary>
    public (TickChange Change, IReadOnlyList<Notification> Held) Cap(TickChange planned, DateTimeOffset now)
    {
        var (sent, over, recent) = FloodGuard.ForAlert(planned.Before.RecentSends, planned.Notifications, FirstOfEpisode, now, PerHour);
        var after = planned.After with
        {
            RecentSends = recent,
            LastReason = over.Count > 0 ? $"{planned.After.LastReason}; {FloodGuard.HeldReason(over.Count, PerHour)}" : planned.After.LastReason,
        };
        return (planned with { Notifications = sent, After = after }, over);
    }

    private static bool FirstOfEpisode(Notification n) =>
        (n.GroupKey is not null && n.Member != DeliveryActions.Repeat) || n.Action is DeliveryActions.Trigger || (n.Action == DeliveryActions.Digest && n.Member != DeliveryActions.Repeat) || FloodGuard.AlwaysSent(n.Action);
}
