using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Stages.Dedupe;

/// <summary>
/// Nothing twice: an event already applied changes nothing (EventBridge and Step Functions deliver at least once), and
/// an alert already told firing is not told again by a later firing event (repeats are the repeat stage's).
/// </summary>
public sealed class DedupeStage
{
    /// <summary>Event time: an event id the alert remembers was applied already.</summary>
    public Decision? DuplicateEvent(EventStep step) =>
        step.Stored is { } stored && stored.RecentEventIds.Contains(step.Alert.EventId, StringComparer.Ordinal)
            ? step.Done(DecisionKinds.Duplicate, $"duplicate: event {step.Alert.EventId} was already applied", null, [])
            : null;

    /// <summary>Event time: a firing alert told firing, and not muted since, needs no new notification.</summary>
    public Decision? AlreadyNotified(EventStep step) =>
        step.Alert.Status == AlertStatus.Firing && step.Next.NotifiedStatus == AlertStatus.Firing && step.Next.Suppressed is null
            ? step.Done(DecisionKinds.Recorded, $"recorded: {step.Alert.Name} is already notified as firing", step.Next, [])
            : null;
}
