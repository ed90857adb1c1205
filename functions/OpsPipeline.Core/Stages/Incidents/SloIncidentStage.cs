using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;

namespace OpsPipeline.Core.Stages.Incidents;

/// <summary>
/// After a decision or a tick plan: an alarm that backs an SLO pages, on a receiver that keeps incidents, under its
/// SLO's incident key, so it and the SLO's burn alerts are one PagerDuty incident. Its resolves there are handed to
/// the incident (recorded in the SLO's state before the alert's commit), which the Tick resolves once nothing behind
/// it fires. Chat, SNS and webhook receivers are told about the alarm as before. Drills are left as they are.
/// </summary>
public sealed class SloIncidentStage(PipelineConfig config)
{
    public (IReadOnlyList<Notification> Sent, IReadOnlyList<IncidentHold> Holds, IReadOnlyList<string> Path) Fold(IReadOnlyList<Notification> notifications)
    {
        if (config.Slos.Count == 0 || notifications.Count == 0)
        {
            return (notifications, [], []);
        }

        var sent = new List<Notification>(notifications.Count);
        var holds = new List<IncidentHold>();
        var path = new List<string>();
        foreach (var n in notifications)
        {
            if (n.Drill || n.Alert.ReplayName is not null || n.Alert.Source != AlertSource.CloudWatch
                || config.SloOf(n.Alert.Name) is not { } slo || config.FindReceiver(n.Receiver) is not { KeepsIncidents: true })
            {
                sent.Add(n);
            }
            else if (n.Action == DeliveryActions.Resolve || (n.GroupKey is not null && n.Member == DeliveryActions.Resolve))
            {
                holds.Add(new IncidentHold(slo.Name, n.Receiver));
                path.Add($"resolve to {n.Receiver} handed to the {slo.Name} incident: it resolves once nothing behind it fires");
            }
            else
            {
                sent.Add(n with { IncidentKey = BudgetNotice.IncidentKeyOf(slo.Name) });
            }
        }

        return (sent, holds, path);
    }
}
