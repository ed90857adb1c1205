using System.Globalization;
using System.Text.Json;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;

namespace OpsPipeline.Core.Rendering;

/// <summary>
/// Error-budget notifications on every channel. Each states the SLO, the burn rate(s) and the budget consumed as a
/// percentage ("69.4% of the 30d budget consumed"); burn alerts trigger and resolve under one PagerDuty dedup_key.
/// </summary>
public static class BudgetMessage
{
    public static Delivery Render(BudgetNotice notice, ReceiverConfig receiver, bool drill)
    {
        var text = Text(notice, drill);
        var delivery = new Delivery
        {
            Receiver = receiver.Name,
            Channel = receiver.Channel,
            Action = DeliveryActions.Budget,
            AlertKey = notice.Key,
            DedupKey = DedupKeys.For(notice.Key),
            Drill = drill,
            Target = DeliveryRenderer.Target(receiver),
        };
        return receiver.Channel switch
        {
            Channels.Slack => delivery with { PayloadUtf8 = PayloadJson.Write(w => Slack(w, text)) },
            Channels.PagerDuty => delivery with { PayloadUtf8 = PayloadJson.Write(w => PagerDuty(w, notice, delivery.DedupKey, text, drill)) },
            Channels.Sns => delivery with { Subject = Subject(notice, drill), PayloadUtf8 = PayloadJson.String(text) },
            _ => delivery with { PayloadUtf8 = PayloadJson.Write(w => Webhook(w, notice, text, drill)) },
        };
    }

    /// <summary>The one sentence every channel carries.</summary>
    public static string Text(BudgetNotice n, bool drill)
    {
        var slo = UntrustedText.OneLine(n.Slo.Name);
        var window = BudgetEvaluator.Span(n.Slo.Window);
        var consumed = string.Create(CultureInfo.InvariantCulture, $"{n.Consumed * 100:0.0}% of the {window} budget consumed");
        var objective = string.Create(CultureInfo.InvariantCulture, $"{n.Slo.Objective}% over {window}");
        var prefix = drill ? "[DRILL] " : string.Empty;
        return n.Kind switch
        {
            BudgetNotice.BurnFiring => string.Create(CultureInfo.InvariantCulture,
                $"{prefix}{slo} ({objective}) is burning its error budget: burn rate {n.LongRate:0.0}× over {BudgetEvaluator.Span(n.Alert!.Long)} and {n.ShortRate:0.0}× over {BudgetEvaluator.Span(n.Alert.Short)} (alert at {n.Alert.BurnRate}×); {consumed}"),
            BudgetNotice.BurnResolved => string.Create(CultureInfo.InvariantCulture,
                $"{prefix}{slo} ({objective}) burn rate is back below {n.Alert!.BurnRate}× over {BudgetEvaluator.Span(n.Alert.Short)} ({n.ShortRate:0.0}×); {consumed}"),
            _ => $"{prefix}{slo} ({objective}): error budget exhausted: {consumed}",
        };
    }

    private static string Subject(BudgetNotice n, bool drill)
    {
        var tag = n.Kind switch
        {
            BudgetNotice.BurnFiring => "[BURN]",
            BudgetNotice.BurnResolved => "[BURN OK]",
            _ => "[BUDGET EXHAUSTED]",
        };
        var subject = $"{(drill ? "[DRILL] " : string.Empty)}{tag} {UntrustedText.OneLine(n.Slo.Name)}";
        // SNS subjects: printable ASCII only, at most 100 characters.
        var ascii = new string([.. subject.Where(c => c is >= ' ' and <= '~')]);
        return Truncation.ToChars(ascii, ChannelLimits.SnsSubjectChars);
    }

    private static void Slack(Utf8JsonWriter w, string text) => WriteSlackNotice(w, ":chart_with_downwards_trend:", text);

    /// <summary>A one-section Slack message (the text, escaped and cut to a section's limit, behind an emoji): the pipeline's own notices.</summary>
    internal static void WriteSlackNotice(Utf8JsonWriter w, string emoji, string text)
    {
        var escaped = Truncation.ToChars(UntrustedText.EscapeSlack(UntrustedText.Clean(text)), ChannelLimits.SlackSectionChars);
        w.WriteStartObject();
        w.WriteString("text", escaped);
        w.WriteStartArray("blocks");
        w.WriteStartObject();
        w.WriteString("type", "section");
        w.WriteStartObject("text");
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", emoji + " " + escaped);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void PagerDuty(Utf8JsonWriter w, BudgetNotice n, string dedupKey, string text, bool drill)
    {
        w.WriteStartObject();
        if (n.Kind == BudgetNotice.BurnResolved)
        {
            w.WriteString("event_action", "resolve");
            w.WriteString("dedup_key", dedupKey);
            w.WriteEndObject();
            return;
        }

        w.WriteString("event_action", "trigger");
        w.WriteString("dedup_key", dedupKey);
        w.WriteStartObject("payload");
        w.WriteString("summary", Truncation.ToChars(text, ChannelLimits.PagerDutySummaryChars));
        w.WriteString("source", "slo:" + UntrustedText.OneLine(n.Slo.Name));
        // A fast burn pages as critical; slow burns and exhaustion are errors to act on in hours, not minutes.
        w.WriteString("severity", n.Alert is { BurnRate: >= 6 } ? "critical" : "error");
        w.WriteString("class", "error-budget");
        w.WritePropertyName("custom_details");
        Details(w, n, drill);
        w.WriteEndObject();
        w.WriteString("client", "ServerlessOpsPipeline");
        w.WriteEndObject();
    }

    private static void Webhook(Utf8JsonWriter w, BudgetNotice n, string text, bool drill)
    {
        w.WriteStartObject();
        w.WriteString("version", "1");
        w.WriteString("kind", "budget");
        w.WriteString("text", text);
        w.WritePropertyName("budget");
        Details(w, n, drill);
        w.WriteEndObject();
    }

    private static void Details(Utf8JsonWriter w, BudgetNotice n, bool drill)
    {
        w.WriteStartObject();
        w.WriteString("slo", n.Slo.Name);
        w.WriteString("notice", n.Kind);
        w.WriteNumber("objectivePercent", n.Slo.Objective);
        w.WriteString("window", BudgetEvaluator.Span(n.Slo.Window));
        w.WriteNumber("consumedPercent", Math.Round(n.Consumed * 100, 1));
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
