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
        BudgetLedger.Apply(state, alert.Name, alert.Status == AlertStatus.Firing, alert.StateTimestamp, slo);

    /// <summary>Tick time: the SLO's next state and the notices due now, without silences (to learn whether any are due).</summary>
    public static (BudgetState State, IReadOnlyList<BudgetNotice> Notices) Evaluate(BudgetState state, SloConfig slo, DateTimeOffset now) =>
        BudgetEvaluator.Evaluate(state, slo, now);

    /// <summary>Tick time, with the active silences: a silenced notice is held (and named in <paramref name="held"/>), told when the silence ends if it still holds.</summary>
    public static (BudgetState State, IReadOnlyList<BudgetNotice> Notices) Evaluate(BudgetState state, SloConfig slo, DateTimeOffset now, IReadOnlyList<Silence> silences, List<string> held) =>
        BudgetEvaluator.Evaluate(state, slo, now, notice =>
        {
            var silence = Silence.FirstMuting(silences, notice.Labels, now);
            if (silence is not null)
            {
                held.Add($"{slo.Name} {notice.Labels["budgetAlert"]}: {notice.Kind} held: {silence.Reason}; told when the silence ends if it still holds");
            }

            return silence is not null;
        });
}
