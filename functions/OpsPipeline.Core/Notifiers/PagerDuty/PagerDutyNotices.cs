using System.Text.Json;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.PagerDuty;

/// <summary>The pipeline's own notices as PagerDuty events: burn alerts trigger and resolve under one dedup_key.</summary>
internal static class PagerDutyNotices
{
    public static void WriteBudget(Utf8JsonWriter w, BudgetNotice n, string dedupKey, string text, bool drill)
    {
        w.WriteStartObject();
        if (n.Kind is BudgetNotice.BurnResolved or BudgetNotice.IncidentResolved)
        {
            w.WriteString("event_action", "resolve");
            w.WriteString("dedup_key", dedupKey);
            w.WriteEndObject();
            return;
        }

        w.WriteString("event_action", "trigger");
        w.WriteString("dedup_key", dedupKey);
        w.WriteStartObject("payload");
        w.WriteString("summary", Truncation.ToChars(text, PagerDutyLimits.SummaryChars));
        w.WriteString("source", "slo:" + UntrustedText.OneLine(n.Slo.Name));
        // A fast burn pages as critical; slow burns and exhaustion are errors to act on in hours, not minutes. An update
        // of an SLO incident is at least as severe as the alarms behind it, so it never lowers what they paged at.
        var own = n.Alert is { BurnRate: >= 6 } ? Severities.Critical : Severities.Error;
        w.WriteString("severity", Severities.Worst(n.AlarmSeverities.Append(own)));
        w.WriteString("class", "error-budget");
        w.WritePropertyName("custom_details");
        BudgetMessage.WriteDetails(w, n, drill);
        w.WriteEndObject();
        w.WriteString("client", "ServerlessOpsPipeline");
        w.WriteEndObject();
    }

    /// <summary>A change event (no event_action, no dedup_key): what the pipeline did, on the service's timeline.</summary>
    public static void WriteReactionOutcome(Utf8JsonWriter w, ReactionRunRecord run, ReactionOutcome outcome, string text)
    {
        w.WriteStartObject();
        w.WriteStartObject("payload");
        w.WriteString("summary", Truncation.ToChars(text, PagerDutyLimits.SummaryChars));
        w.WriteString("source", "ops-pipeline:reaction:" + UntrustedText.OneLine(run.Reaction));
        w.WriteStartObject("custom_details");
        ReactionOutcomeNotice.WriteFields(w, run, outcome);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A notify test's trigger (severity info, class test) or its resolve, on one dedup_key.</summary>
    public static void WriteTest(Utf8JsonWriter w, string dedupKey, string text, string eventAction)
    {
        w.WriteStartObject();
        w.WriteString("event_action", eventAction);
        w.WriteString("dedup_key", dedupKey);
        if (eventAction == "trigger")
        {
            w.WriteStartObject("payload");
            w.WriteString("summary", Truncation.ToChars(text, PagerDutyLimits.SummaryChars));
            w.WriteString("source", "ops-pipeline:notify-test");
            w.WriteString("severity", "info");
            w.WriteString("class", "test");
            w.WriteEndObject();
        }

        w.WriteString("client", "ServerlessOpsPipeline");
        w.WriteEndObject();
    }

    public static void WriteFlood(Utf8JsonWriter w, string dedupKey, string text, long held)
    {
        w.WriteStartObject();
        w.WriteString("event_action", "trigger");
        w.WriteString("dedup_key", dedupKey);
        w.WriteStartObject("payload");
        w.WriteString("summary", Truncation.ToChars(text, PagerDutyLimits.SummaryChars));
        w.WriteString("source", "ops-pipeline:flood-guard");
        w.WriteString("severity", "warning");
        w.WriteString("class", "flood-guard");
        w.WriteStartObject("custom_details");
        w.WriteNumber("held", held);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("client", "ServerlessOpsPipeline");
        w.WriteEndObject();
    }
}
