using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Stages.Dlq;

/// <summary>
/// Dead-lettered messages count toward their group's alert: the first one notifies at once, later ones wait for the
/// Tick's digest (one notice with the running count), so a flood of one failure is one or two notices.
/// </summary>
public sealed class DlqStage(StageSettings settings, Func<Alert, DecisionContext, DateTimeOffset, Suppression?> muted)
{
    /// <summary>How often a DLQ alert that keeps receiving messages is re-notified, as one count (the group wait, at least a minute).</summary>
    public TimeSpan DigestInterval => settings.Config.Defaults.GroupWait > TimeSpan.FromMinutes(1) ? settings.Config.Defaults.GroupWait : TimeSpan.FromMinutes(1);

    /// <summary>The receiver of DLQ alerts: dlq.receiver, else the root route's.</summary>
    public string Receiver => settings.Config.Dlq?.Receiver ?? settings.Routes.Root.Receiver;

    /// <summary>Event time: counts the message; told now if it is the first, else at the next digest.</summary>
    public Decision? Count(EventStep step)
    {
        var (alert, stored, now) = (step.Alert, step.Stored, step.Now);
        var seen = alert.StateTimestamp;
        var tally = stored?.Dlq is { } t
            ? new DlqTally(t.Count + 1, seen < t.FirstSeen ? seen : t.FirstSeen, seen > t.LastSeen ? seen : t.LastSeen, t.Unreported + 1)
            : new DlqTally(1, seen, seen, 1);
        var next = StateChanges.Next(alert, stored, now, step.AlertJson) with
        {
            StateTimestamp = seen > (stored?.StateTimestamp ?? seen) ? seen : stored?.StateTimestamp ?? seen,
            Suppressed = null,
            Pending = [],
            Dlq = tally,
        };
        if (muted(alert, step.Context, now) is { } muting)
        {
            return step.Done(DecisionKinds.Suppressed, muting.Reason, next with { Suppressed = muting, DueAt = muting.Until }, []);
        }

        if (next.LastNotifiedAt is null)
        {
            next = next with { NotifiedStatus = AlertStatus.Firing, LastNotifiedAt = now, Dlq = tally with { Unreported = 0 } };
            return step.Done(DecisionKinds.Notify, $"notify: dlq to {Receiver} (first message of {alert.Name})", next, [Notice(alert, tally)]);
        }

        var due = next.LastNotifiedAt.Value + DigestInterval;
        due = due > now ? due : now;
        return step.Done(DecisionKinds.Grouped, $"grouped: {tally.Count} message(s) in {alert.Name}, {tally.Unreported} since the last notice; digest at {DecisionText.Format(due)}", next with { DueAt = due }, []);
    }

    /// <summary>Tick time: the digest of what arrived since the last notice, once per interval.</summary>
    public TickPlan? Digest(TickStep step)
    {
        var s = step.State;
        if (s.Dlq is not { } tally)
        {
            return null;
        }

        if (s.DueAt is not { } due || due > step.Now)
        {
            return TickPlan.Unchanged(s);
        }

        if (muted(step.Alert, step.Context, step.Now) is { } muting)
        {
            return muting.SameCause(s.Suppressed) ? TickPlan.Unchanged(s) : new TickPlan(s with { Suppressed = muting, DueAt = muting.Until }, [], muting.Reason);
        }

        if (tally.Unreported == 0 && s.LastNotifiedAt is not null)
        {
            return new TickPlan(s with { DueAt = null, Suppressed = null }, [], null);
        }

        var after = s with { Suppressed = null, NotifiedStatus = AlertStatus.Firing, LastNotifiedAt = step.Now, Dlq = tally with { Unreported = 0 }, LastDecision = DecisionKinds.Notify };
        return new TickPlan(after, [Notice(step.Alert, tally)], $"notify: dlq digest to {Receiver}: {tally.Count} message(s), {tally.Unreported} new");
    }

    /// <summary>Due: a pending digest, or a mute to check again; no repeats.</summary>
    public DateTimeOffset? Due(AlertState s, IReadOnlyList<MatchedRoute> routes) =>
        s.Dlq is not { } tally ? null
            : s.Suppressed is not null ? s.DueAt
            : tally.Unreported > 0 ? s.DueAt ?? (s.LastNotifiedAt ?? s.UpdatedAt) + DigestInterval
            : null;

    /// <summary>The notice states the running count as it was before this notice: its unreported messages are the new ones.</summary>
    private Notification Notice(Alert alert, DlqTally tally) => new(DeliveryActions.Dlq, Receiver, alert) { Tally = tally };
}
