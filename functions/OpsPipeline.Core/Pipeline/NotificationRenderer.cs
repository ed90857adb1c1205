using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Pipeline;

/// <summary>
/// After the decision: what the stages decided to send, rendered by each receiver's channel. Single notifications as
/// they are, in order; then the members of each group (route, group key, receiver) as one digest, with the members
/// still firing that are not in it.
/// </summary>
public sealed class NotificationRenderer(PipelineConfig config)
{
    /// <summary>The deliveries; <paramref name="stillFiring"/>, by <see cref="GroupNotices.Id"/>, is what the Tick read of its groups' records.</summary>
    public IReadOnlyList<Delivery> Render(IEnumerable<Notification> notifications, IReadOnlyDictionary<string, StillFiring>? stillFiring = null)
    {
        var all = notifications as IReadOnlyList<Notification> ?? [.. notifications];
        var deliveries = new List<Delivery>(all.Count);
        foreach (var n in all.Where(n => n.GroupKey is null))
        {
            var receiver = Receiver(n.Receiver);
            var delivery = n.Action == DeliveryActions.Dlq && n.Tally is { } tally
                ? DeliveryRenderer.Render(Counted(n.Alert, tally), DeliveryActions.Dlq, receiver, n.Drill)
                : DeliveryRenderer.Render(n.Alert, n.Action, receiver, n.Drill, n.IncidentKey);
            deliveries.Add(n.Essential ? delivery with { Essential = true } : delivery);
        }

        foreach (var group in all.Where(n => n.GroupKey is not null).GroupBy(n => (n.Route!.Id, n.GroupKey, n.Receiver)))
        {
            var members = group.OrderBy(n => n.Alert.Name, StringComparer.Ordinal).ToList();
            var alerts = members.Select(n => n.Alert).ToList();
            var route = group.First().Route!;
            var receiver = Receiver(group.Key.Receiver);
            var still = stillFiring?.GetValueOrDefault(GroupNotices.Id(route.Id, group.Key.GroupKey!)) ?? StillFiring.None;
            if ((alerts.Count == 1 && still.Count == 0) || receiver.KeepsIncidents)
            {
                // A group of one, with nothing else firing, is simply that alert's trigger (or resolve). PagerDuty gets one
                // event per alert even when grouped: each resolve must close its own dedup_key, and PagerDuty groups
                // incidents itself.
                deliveries.AddRange(members.Select(n => DeliveryRenderer.Render(n.Alert, n.Member, receiver, drill: false, n.IncidentKey)));
                continue;
            }

            var groupLabels = route.GroupBy
                .Where(l => alerts[0].Labels.ContainsKey(l))
                .ToDictionary(l => l, l => alerts[0].Labels[l], StringComparer.Ordinal);
            // An update with a member new to the group is that member's first notification (never held by the flood
            // guard); an update of repeats only is a reminder, which the guard may hold.
            var update = members.Select(n => new DigestMember(n.Alert, n.Member)).ToList();
            deliveries.Add(DeliveryRenderer.RenderDigest(group.Key.GroupKey!, groupLabels, update, still, receiver, drill: false) with
            {
                Essential = members.Any(n => n.Member != DeliveryActions.Repeat),
            });
        }

        return deliveries;
    }

    private ReceiverConfig Receiver(string name) =>
        config.FindReceiver(name) ?? throw new InvalidOperationException($"receiver {name} is not configured");

    /// <summary>A DLQ notice states the running count; the alert as normalized describes the latest message.</summary>
    private static Alert Counted(Alert alert, DlqTally tally) => alert with
    {
        Summary = tally.Count == 1
            ? alert.Summary
            : $"{alert.Name}: {tally.Count} messages dead-lettered since {DecisionText.Format(tally.FirstSeen)} ({tally.Unreported} new, last {DecisionText.Format(tally.LastSeen)}); latest: {alert.Summary}",
    };
}
