using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Stages.Muting;

/// <summary>
/// A firing alert that something mutes is recorded with why, not sent, and re-checked by the Tick until it is no
/// longer muted; then what still fires is sent. The muters are asked in order; the first that mutes wins.
/// </summary>
public sealed class MutingStage(SilenceMuter silences, InhibitionMuter inhibition)
{
    private readonly IReadOnlyList<IMuter> _muters = [silences, new CloudWatchMuter(), inhibition];

    public InhibitionMuter Inhibition => inhibition;

    /// <summary>The first muter's reason to mute this alert now, or null.</summary>
    public Suppression? Mutes(Alert alert, DecisionContext context, DateTimeOffset now)
    {
        foreach (var muter in _muters)
        {
            if (muter.Mutes(alert, context, now) is { } suppression)
            {
                return suppression;
            }
        }

        return null;
    }

    public Suppression? Mutes(EventStep step) => Mutes(step.Alert, step.Context, step.Now);

    /// <summary>Event time: a firing alert that is muted is recorded as suppressed, due again when the mute is next checked.</summary>
    public Decision? Mute(EventStep step)
    {
        if (step.Alert.Status != AlertStatus.Firing)
        {
            return null;
        }

        if (Mutes(step) is { } suppression)
        {
            return step.Done(DecisionKinds.Suppressed, suppression.Reason, step.Next with { Suppressed = suppression, DueAt = suppression.Until }, []);
        }

        if (CloudWatchMuter.NotMuted(step.Alert, step.Now) is { } why)
        {
            step.Path.Add(why);
        }

        return null;
    }

    /// <summary>Tick time: a muted firing alert that is due is muted still (recorded if the cause changed), or sent now.</summary>
    public TickPlan? Release(TickStep step)
    {
        var s = step.State;
        if (s.State != AlarmState.Alarm || s.Suppressed is not { } was || s.DueAt is not { } due || due > step.Now)
        {
            return null;
        }

        if (Mutes(step.Alert, step.Context, step.Now) is { } still)
        {
            // The same cause: nothing to write; the alert stays due and is re-checked (read only) next tick.
            return still.SameCause(was) ? TickPlan.Unchanged(s) : new TickPlan(s with { Suppressed = still, DueAt = still.Until }, [], still.Reason);
        }

        return StateChanges.Released(step, was, [.. Notification.DistinctReceivers(step.Routes)], []);
    }

    /// <summary>Due: a muted firing alert (not flapping) is checked again when its mute is next due, at the latest a minute after it was written.</summary>
    public DateTimeOffset? Due(AlertState s, IReadOnlyList<MatchedRoute> routes) =>
        !s.Flapping && s.State == AlarmState.Alarm && s.Suppressed is not null
            ? s.DueAt is { } d && d > s.UpdatedAt ? d : s.UpdatedAt + InhibitionMuter.Recheck
            : null;

    /// <summary>
    /// After the decision: an inhibition source records every transition, not only those that change the stored state. A
    /// source update written before a commit that then failed must be corrected by the next transition, which the stored
    /// state cannot tell; the update is ordered by the transition's time, so writing it again changes nothing.
    /// </summary>
    public SourceUpdate? SourceUpdate(Alert alert) =>
        inhibition.IsSource(alert.Labels)
            ? new SourceUpdate(new InhibitionSource(alert.Key, alert.Name, alert.Labels), alert.Status == AlertStatus.Firing, alert.StateTimestamp)
            : null;
}
