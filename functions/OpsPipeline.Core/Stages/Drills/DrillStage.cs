using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Stages.Drills;

/// <summary>
/// A replayed event (recovery drill) is decided exactly as production would decide it, against the drill's own state,
/// and then sent only to the drill receiver, marked as a drill: real pages and inhibition sources are untouched, and
/// what production would have sent is kept for the drill report.
/// </summary>
public sealed class DrillStage(StageSettings settings)
{
    /// <summary>After the decision: a drill's notifications go to the drill receiver, one per action.</summary>
    public Decision Redirect(EventStep step, Decision production)
    {
        if (step.Alert.ReplayName is not { } replay)
        {
            return production;
        }

        var receiver = settings.Config.DrillReceiver is { } name && settings.Config.FindReceiver(name) is not null ? name : null;
        List<Notification> drills = receiver is null
            ? []
            : [.. production.Notifications.Select(n => n.Action).Distinct(StringComparer.Ordinal).Select(action => new Notification(action, receiver, step.Alert) { Drill = true })];
        var path = production.Path.Append($"drill {replay}: production would send {Notification.Describe(production.Notifications)}; sent {Notification.Describe(drills)}").ToList();
        return production with { Notifications = drills, WouldSend = production.Notifications, SourceUpdate = null, Path = path };
    }
}
