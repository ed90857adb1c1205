using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.ErrorBudgets;

/// <summary>
/// What a budget notification says: a burn-rate alert firing or resolving, the budget exhausted, or, for the SLO's
/// incident, its resolve (to a receiver that keeps incidents) and what it cost (to the SLO's team receiver).
/// </summary>
public sealed record BudgetNotice(string Kind, SloConfig Slo, BurnAlertConfig? Alert, double LongRate, double ShortRate, double Consumed, string Receiver)
{
    public const string BurnFiring = "burnFiring";
    public const string BurnResolved = "burnResolved";
    public const string Exhausted = "exhausted";
    public const string IncidentResolved = "incidentResolved";
    public const string IncidentEnded = "incidentEnded";

    /// <summary>Set when this notice opens or updates the SLO's incident on a receiver that keeps incidents: its dedup_key.</summary>
    public string? IncidentKey { get; init; }

    /// <summary>The SLO's alarms in ALARM when the notice was made (named in an incident's summary).</summary>
    public IReadOnlyList<string> InAlarm { get; init; } = [];

    /// <summary>The severity labels of those alarms: an incident update never lowers the incident's severity below theirs.</summary>
    public IReadOnlyList<string> AlarmSeverities { get; init; } = [];

    /// <summary>For <see cref="IncidentEnded"/>: the share of the budget the incident consumed, and since when it ran.</summary>
    public double IncidentConsumed { get; init; }

    public DateTimeOffset? IncidentSince { get; init; }

    /// <summary>Stable per SLO and burn alert, so a resolve pairs with its trigger (PagerDuty dedup_key); the incident's key when it has one.</summary>
    public string Key => IncidentKey ?? (Kind == IncidentEnded ? $"slo:{Slo.Name}:incident" : Alert is null ? $"slo:{Slo.Name}:exhausted" : $"slo:{Slo.Name}:{BudgetEvaluator.Id(Alert)}");

    /// <summary>The dedup_key of an SLO's incident: its alarms' and its burn alerts' pages to one receiver are one incident.</summary>
    public static string IncidentKeyOf(string slo) => "slo:" + slo;

    /// <summary>
    /// What a silence matches a budget notice on: <c>source=slo</c>, <c>slo</c> (the SLO's name) and
    /// <c>budgetAlert</c> (the burn alert, e.g. <c>1h/5m@14.4x</c>, or <c>exhausted</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Labels => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["budgetAlert"] = Alert is null ? Exhausted : BudgetEvaluator.Id(Alert),
        ["slo"] = Slo.Name,
        ["source"] = "slo",
    };
}
