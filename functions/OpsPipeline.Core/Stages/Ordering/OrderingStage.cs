using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Stages.Ordering;

/// <summary>
/// Events in the alarm's own time order: an event older than the stored transition is stale (recorded, never sent),
/// and a second event for the same transition is recorded; the events after it move the state on, by the alarm's
/// timestamp, whatever order they arrive in. Once admitted, this stage starts the state the event moves to.
/// </summary>
public sealed class OrderingStage
{
    /// <summary>Event time: older than what is stored.</summary>
    public Decision? Stale(EventStep step)
    {
        if (step.Stored is not { } stored || step.Alert.StateTimestamp >= stored.StateTimestamp)
        {
            return null;
        }

        var reason = $"stale: {step.Alert.State.Wire()} at {DecisionText.Format(step.Alert.StateTimestamp)} is older than stored {stored.State.Wire()} at {DecisionText.Format(stored.StateTimestamp)}";
        return step.Done(DecisionKinds.Stale, reason, StateChanges.Remember(stored, step.Alert, step.Now, DecisionKinds.Stale, reason), []);
    }

    /// <summary>Event time: the stored transition again, under another event id.</summary>
    public Decision? SameTransition(EventStep step)
    {
        if (step.Stored is not { } stored || step.Alert.StateTimestamp != stored.StateTimestamp || step.Alert.State != stored.State)
        {
            return null;
        }

        var reason = $"recorded: transition to {step.Alert.State.Wire()} at {DecisionText.Format(step.Alert.StateTimestamp)} was already applied (different event id)";
        return step.Done(DecisionKinds.Recorded, reason, StateChanges.Remember(stored, step.Alert, step.Now, DecisionKinds.Recorded, reason), []);
    }

    /// <summary>Event time, once admitted: the state this event moves the alert to.</summary>
    public Decision? Advance(EventStep step)
    {
        step.Next = StateChanges.Next(step.Alert, step.Stored, step.Now, step.AlertJson);
        return null;
    }

    /// <summary>Event time, last: an INSUFFICIENT_DATA event is recorded, neither firing nor resolved.</summary>
    public Decision? Unknown(EventStep step) =>
        step.Done(DecisionKinds.Recorded, $"recorded: {step.Alert.State.Wire()} is neither firing nor resolved", step.Next, []);
}
