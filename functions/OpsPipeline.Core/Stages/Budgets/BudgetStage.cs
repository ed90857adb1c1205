using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Silences;

namespace OpsPipeline.Core.Stages.Budgets;

/// <summary>
/// SLO error budgets: an SLO alarm's transition opens or closes bad time (event time); every tick each SLO's burn-rate
/// alerts fire or resolve and exhaustion is told once (tick time). A silence that matches a notice holds it.
/// </summary>
public sealed class BudgetStage(PipelineConfig config)
{
    /// <summary>Event time: the SLOs whose bad time this transition opens or closes (none for drills, DLQ alerts or INSUFFICIENT_DATA).</summary>
    public IEnumerable<SloConfig> Affected(Alert alert) =>
        alert.ReplayName is not null || alert.Source != AlertSource.CloudWatch || alert.Status == AlertStatus.Unknown
            ? []
            : config.Slos.Where(slo => slo.Alarms.Contains(alert.Name, StringComparer.Ordinal));

    /// <summary>Event time: the SLO's state with this transition applied (applying it twice changes nothing).</summary>
    public static BudgetState Apply(BudgetState state, Alert alert, SloConfig slo) =>
        BudgetLedger.Apply(state, alert.Name, alert.Status == AlertStatus.Firing, alert.StateTimestamp, slo, alert.Labels, alert.Key);

    /// <summary>Which of the SLO's receivers keep incidents, its team receiver, and the receivers its alarms still have told they fire.</summary>
    public IncidentReceivers IncidentsOf(SloConfig slo, IReadOnlySet<string>? stillTold = null) =>
        new(r => config.FindReceiver(r)?.KeepsIncidents == true, config.TeamReceiverOf(slo)) { StillTold = stillTold ?? new HashSet<string>() };

    /// <summary>
    /// Tick time: the SLO's next state and the notices due now, without silences (to learn whether any are due) and
    /// taking the alarms' notification logs as <paramref name="stillTold"/> (none when not read).
    /// </summary>
    public (BudgetState State, IReadOnlyList<BudgetNotice> Notices) Evaluate(BudgetState state, SloConfig slo, DateTimeOffset now, IReadOnlySet<string>? stillTold = null) =>
        BudgetEvaluator.Evaluate(state, slo, now, incidents: IncidentsOf(slo, stillTold));

    /// <summary>Whether these notices end the incident or resolve a page of it: they are told only if no alarm still has that receiver told it fires.</summary>
    public static bool Closes(IReadOnlyList<BudgetNotice> notices) =>
        notices.Any(n => n.Kind is BudgetNotice.IncidentResolved or BudgetNotice.IncidentEnded);

    /// <summary>
    /// Tick time, with the active silences: a silenced notice is held (and named in <paramref name="held"/>), told when
    /// the silence ends if it still holds. A silence that matches the labels of the SLO's alarms (those in ALARM, or
    /// all it has seen when none is) holds the SLO's pages too: they are one incident.
    /// </summary>
    public (BudgetState State, IReadOnlyList<BudgetNotice> Notices) Evaluate(BudgetState state, SloConfig slo, DateTimeOffset now, IReadOnlyList<Silence> silences, List<string> held, IReadOnlySet<string>? stillTold = null)
    {
        var alarms = state.InAlarm.Count > 0
            ? state.AlarmLabels.Where(a => state.InAlarm.ContainsKey(a.Key)).Select(a => a.Value).ToList()
            : [.. state.AlarmLabels.Values];
        return BudgetEvaluator.Evaluate(state, slo, now, notice =>
        {
            var silence = Silence.FirstMuting(silences, notice.Labels, now)
                ?? alarms.Select(labels => Silence.FirstMuting(silences, labels, now)).FirstOrDefault(m => m is not null);
            if (silence is not null)
            {
                held.Add($"{slo.Name} {notice.Labels["budgetAlert"]}: {notice.Kind} held: {silence.Reason}; told when the silence ends if it still holds");
            }

            return silence is not null;
        }, IncidentsOf(slo, stillTold));
    }
}
