using System.Globalization;
using System.Text.Json;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers;

/// <summary>
/// Error-budget notifications on every channel. Each states the SLO, the burn rate(s) and the budget consumed as a
/// percentage ("69.4% of the 30d budget consumed"); burn alerts trigger and resolve under one PagerDuty dedup_key.
/// </summary>
public static class BudgetMessage
{
    public static Delivery Render(BudgetNotice notice, ReceiverConfig receiver, bool drill)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(receiver);
        var notifier = DeliveryRenderer.NotifierOf(receiver);
        var delivery = DeliveryRenderer.NewDelivery(receiver, DeliveryActions.Budget, notice.Key, drill);
        return notifier.RenderBudget(delivery, notice, Text(notice, drill), drill);
    }

    /// <summary>The one sentence every channel carries.</summary>
    public static string Text(BudgetNotice n, bool drill)
    {
        var slo = UntrustedText.OneLine(n.Slo.Name);
        var window = BudgetEvaluator.Span(n.Slo.Window);
        var consumed = string.Create(CultureInfo.InvariantCulture, $"{n.Consumed * 100:0.0}% of the {window} budget consumed");
        var objective = string.Create(CultureInfo.InvariantCulture, $"{n.Slo.Objective}% over {window}");
        var prefix = drill ? "[DRILL] " : string.Empty;
        var behind = n.InAlarm.Count == 0 ? "its alarms are OK" : string.Join(", ", n.InAlarm.Select(a => UntrustedText.OneLine(a) + " ALARM"));
        return n.Kind switch
        {
            // An update of the SLO's incident: what burns, what it has cost so far, and what is behind it.
            BudgetNotice.BurnFiring when n.IncidentKey is not null => string.Create(CultureInfo.InvariantCulture,
                $"{prefix}{slo}: {n.Alert!.BurnRate}× burn, {consumed} ({behind})"),
            BudgetNotice.Exhausted when n.IncidentKey is not null => $"{prefix}{slo}: error budget exhausted, {consumed} ({behind})",
            BudgetNotice.IncidentResolved => $"{prefix}{slo}: incident resolved, nothing behind it fires; {consumed}",
            BudgetNotice.IncidentEnded => prefix + Cost(n, slo, window),
            BudgetNotice.BurnFiring => string.Create(CultureInfo.InvariantCulture,
                $"{prefix}{slo} ({objective}) is burning its error budget: burn rate {n.LongRate:0.0}× over {BudgetEvaluator.Span(n.Alert!.Long)} and {n.ShortRate:0.0}× over {BudgetEvaluator.Span(n.Alert.Short)} (alert at {n.Alert.BurnRate}×); {consumed}"),
            BudgetNotice.BurnResolved => string.Create(CultureInfo.InvariantCulture,
                $"{prefix}{slo} ({objective}) burn rate is back below {n.Alert!.BurnRate}× over {BudgetEvaluator.Span(n.Alert.Short)} ({n.ShortRate:0.0}×); {consumed}"),
            _ => $"{prefix}{slo} ({objective}): error budget exhausted: {consumed}",
        };
    }

    /// <summary>What an ended incident cost: <c>checkout-availability: this incident consumed 69.4% of the 30d budget; 30.6% remains</c>.</summary>
    private static string Cost(BudgetNotice n, string slo, string window)
    {
        var bad = TimeSpan.FromTicks((long)(BudgetLedger.Budget(n.Slo).Ticks * n.IncidentConsumed));
        var since = n.IncidentSince is { } t
            ? string.Create(CultureInfo.InvariantCulture, $" ({Math.Round(bad.TotalMinutes, 1)} min of bad time from {DecisionText.Format(t)})")
            : string.Empty;
        var remains = 1 - n.Consumed;
        var rest = remains > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{remains * 100:0.0}% remains")
            : string.Create(CultureInfo.InvariantCulture, $"the budget is exhausted ({n.Consumed * 100:0.0}% consumed)");
        return string.Create(CultureInfo.InvariantCulture, $"{slo}: this incident consumed {n.IncidentConsumed * 100:0.0}% of the {window} budget; {rest}{since}");
    }

    /// <summary>The notice as data: what PagerDuty custom_details and webhook bodies carry.</summary>
    internal static void WriteDetails(Utf8JsonWriter w, BudgetNotice n, bool drill)
    {
        w.WriteStartObject();
        w.WriteString("slo", n.Slo.Name);
        w.WriteString("notice", n.Kind);
        w.WriteNumber("objectivePercent", n.Slo.Objective);
        w.WriteString("window", BudgetEvaluator.Span(n.Slo.Window));
        w.WriteNumber("consumedPercent", Math.Round(n.Consumed * 100, 1));
        if (n.Kind == BudgetNotice.IncidentEnded)
        {
            w.WriteNumber("incidentConsumedPercent", Math.Round(n.IncidentConsumed * 100, 1));
        }

        if (n.IncidentKey is not null)
        {
            w.WriteString("incident", n.IncidentKey);
            w.WriteStartArray("inAlarm");
            foreach (var alarm in n.InAlarm)
            {
                w.WriteStringValue(alarm);
            }

            w.WriteEndArray();
        }
        if (n.Alert is { } a)
        {
            w.WriteString("burnAlert", BudgetEvaluator.Id(a));
            w.WriteNumber("longWindowBurnRate", Math.Round(n.LongRate, 2));
            w.WriteNumber("shortWindowBurnRate", Math.Round(n.ShortRate, 2));
        }

        w.WriteBoolean("drill", drill);
        w.WriteEndObject();
    }
}
