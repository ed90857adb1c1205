using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Decisions;

/// <summary>
/// The pure decision for one alert event: given what is stored, is this a duplicate, stale, or a transition
/// worth a notification, and to whom. No I/O: the caller reads the state, calls this, and writes
/// <see cref="Decision.NewState"/> with a conditional write on <see cref="AlertState.Version"/>.
/// </summary>
public sealed class AlertDecider(PipelineConfig config, RouteTree routes)
{
    /// <summary>State items are garbage-collected this long after their last change (TTL is GC only).</summary>
    public static readonly TimeSpan StateRetention = TimeSpan.FromDays(90);

    public PipelineConfig Config { get; } = config;

    public Decision Decide(Alert alert, AlertState? stored, DateTimeOffset now, string? alertJson = null)
    {
        if (stored is not null && stored.RecentEventIds.Contains(alert.EventId, StringComparer.Ordinal))
        {
            return new Decision(DecisionKinds.Duplicate, $"duplicate: event {alert.EventId} was already applied", null, []);
        }

        if (stored is not null && alert.StateTimestamp < stored.StateTimestamp)
        {
            var reason = $"stale: {alert.State} at {Format(alert.StateTimestamp)} is older than stored {stored.State} at {Format(stored.StateTimestamp)}";
            return new Decision(DecisionKinds.Stale, reason, Remember(stored, alert, now) with { LastDecision = DecisionKinds.Stale, LastReason = reason }, []);
        }

        if (stored is not null && alert.StateTimestamp == stored.StateTimestamp && alert.State == stored.State)
        {
            var reason = $"recorded: transition to {alert.State} at {Format(alert.StateTimestamp)} was already applied (different event id)";
            return new Decision(DecisionKinds.Recorded, reason, Remember(stored, alert, now) with { LastDecision = DecisionKinds.Recorded, LastReason = reason }, []);
        }

        var (action, why) = ActionFor(alert, stored);
        var deliveries = action is null ? [] : DeliveriesFor(alert, action);
        if (action is not null && deliveries.Count == 0)
        {
            why = $"recorded: no route matched a receiver for {alert.Name}";
        }

        var notified = deliveries.Count > 0;
        var kind = notified ? DecisionKinds.Notify : DecisionKinds.Recorded;
        var finalReason = notified ? $"notify: {action} to {string.Join(", ", deliveries.Select(d => d.Receiver))}" : why;
        var next = new AlertState
        {
            Key = alert.Key,
            State = alert.State,
            StateTimestamp = alert.StateTimestamp,
            NotifiedStatus = notified ? alert.Status : stored?.NotifiedStatus,
            RecentEventIds = AppendId(stored?.RecentEventIds ?? [], alert.EventId),
            LastDecision = kind,
            LastReason = finalReason,
            AlertJson = alertJson ?? stored?.AlertJson,
            Version = (stored?.Version ?? 0) + 1,
            UpdatedAt = now,
        };
        return new Decision(kind, finalReason, next, deliveries);
    }

    private (string? Action, string Reason) ActionFor(Alert alert, AlertState? stored)
    {
        var wasNotifiedFiring = stored?.NotifiedStatus == AlertStatus.Firing;
        return alert.Status switch
        {
            AlertStatus.Firing when wasNotifiedFiring => (null, $"recorded: {alert.Name} is already notified as firing"),
            AlertStatus.Firing => (DeliveryActions.Trigger, "trigger"),
            AlertStatus.Resolved when !wasNotifiedFiring => (null, $"recorded: {alert.Name} is {alert.State} and was not notified as firing"),
            AlertStatus.Resolved when !Config.Defaults.SendResolved => (null, "recorded: sendResolved is off"),
            AlertStatus.Resolved => (DeliveryActions.Resolve, "resolve"),
            _ => (null, $"recorded: {alert.State} is neither firing nor resolved"),
        };
    }

    private List<Delivery> DeliveriesFor(Alert alert, string action)
    {
        var deliveries = new List<Delivery>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in routes.Match(alert.Labels))
        {
            // Two routes that name one receiver still make one notification: singular alerts.
            if (route.Receiver is null || !seen.Add(route.Receiver))
            {
                continue;
            }

            var receiver = Config.FindReceiver(route.Receiver)
                ?? throw new InvalidOperationException($"route {route.Id} names unknown receiver {route.Receiver}");
            deliveries.Add(DeliveryRenderer.Render(alert, action, receiver, drill: false));
        }

        return deliveries;
    }

    private static AlertState Remember(AlertState stored, Alert alert, DateTimeOffset now) => stored with
    {
        RecentEventIds = AppendId(stored.RecentEventIds, alert.EventId),
        Version = stored.Version + 1,
        UpdatedAt = now,
    };

    private static List<string> AppendId(IReadOnlyList<string> ids, string id)
    {
        var list = new List<string>(ids.Count + 1);
        list.AddRange(ids.Count >= AlertState.RememberedEventIds ? ids.Skip(ids.Count - AlertState.RememberedEventIds + 1) : ids);
        list.Add(id);
        return list;
    }

    private static string Format(DateTimeOffset t) => t.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
}
