using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers;

/// <summary>
/// How an automatic reaction ended, told once to each of the alert's receivers: a chat message, an SNS message, a
/// webhook body, or a PagerDuty change event (which never pages). Its dedup key is the run's, <c>reaction:EXECUTION</c>.
/// </summary>
public static class ReactionOutcomeNotice
{
    public static Delivery Render(ReceiverConfig receiver, ReactionRunRecord run, ReactionOutcome outcome, string alertName)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(outcome);
        var delivery = DeliveryRenderer.NewDelivery(receiver, DeliveryActions.ReactionOutcome, run.AlertKey, drill: false) with { DedupKey = "reaction:" + run.Execution };
        return DeliveryRenderer.NotifierOf(receiver).RenderReactionOutcome(delivery, run, outcome, Text(outcome, run, alertName));
    }

    /// <summary>The run and its outcome as a JSON object's fields (webhook bodies, PagerDuty's custom_details).</summary>
    internal static void WriteFields(System.Text.Json.Utf8JsonWriter w, ReactionRunRecord run, ReactionOutcome outcome)
    {
        w.WriteString("reaction", run.Reaction);
        w.WriteString("kind", run.Kind);
        w.WriteString("execution", run.Execution);
        w.WriteString("alertKey", run.AlertKey);
        w.WriteString("outcome", outcome.Word);
        w.WriteIfPresent("detail", outcome.Detail);
    }

    /// <summary>
    /// The one sentence every receiver gets: <c>auto-reaction restart-orders succeeded (execution …) for
    /// checkout-api-5xx</c>, <c>… failed: &lt;error&gt;</c> or <c>… timed out: …</c>. The service's words are
    /// untrusted: one line, bounded.
    /// </summary>
    public static string Text(ReactionOutcome outcome, ReactionRunRecord run, string alertName)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(run);
        var what = outcome.Result switch
        {
            ReactionResult.Succeeded => outcome.Detail is null ? "succeeded" : $"succeeded: {outcome.Detail}",
            ReactionResult.Failed => $"failed: {outcome.Detail ?? "no reason given"}",
            _ => $"timed out: {outcome.Detail}",
        };
        return Truncation.ToChars(
            $"auto-reaction {UntrustedText.OneLine(run.Reaction)} {UntrustedText.OneLine(what)} (execution {run.Execution}) for {UntrustedText.OneLine(alertName)}",
            ChannelLimits.FreeTextChars);
    }
}
