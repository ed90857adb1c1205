using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.PagerDuty;

/// <summary>
/// The PagerDuty Events API v2 body for one alert, without routing_key: Deliver inserts it at send time from
/// the SSM parameter, so the secret never travels through the state machine.
/// </summary>
internal static class PagerDutyEvent
{
    /// <summary>Who sent the event, shown in PagerDuty.</summary>
    internal const string Client = "ServerlessOpsPipeline";

    /// <summary>
    /// How much of custom_details survives, tried in order until the body fits 512 KB: per-value caps first,
    /// then no details but the alert key, then no links either. Summary, source and severity always stay.
    /// </summary>
    private static readonly DetailLevel[] Levels =
    [
        new(ChannelLimits.FreeTextChars, IncludeDetails: true, IncludeLinks: true),
        new(256, IncludeDetails: true, IncludeLinks: true),
        new(0, IncludeDetails: false, IncludeLinks: true),
        new(0, IncludeDetails: false, IncludeLinks: false),
    ];

    public static byte[] Render(Alert alert, AlertPresentation presentation, string dedupKey, bool drill)
    {
        if (presentation.PagerDutyEventAction == "resolve")
        {
            // A resolve needs nothing but the key that pairs it with its trigger.
            return PayloadJson.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("event_action", "resolve");
                w.WriteString("dedup_key", dedupKey);
                w.WriteEndObject();
            });
        }

        byte[] body = [];
        foreach (var level in Levels)
        {
            body = PayloadJson.Write(w => WriteTrigger(w, alert, presentation, dedupKey, drill, level));
            if (body.Length <= PagerDutyLimits.BodyBytes)
            {
                return body;
            }
        }

        return body; // unreachable in practice: the last level is a few kilobytes at most
    }

    private static void WriteTrigger(Utf8JsonWriter w, Alert alert, AlertPresentation presentation, string dedupKey, bool drill, DetailLevel level)
    {
        w.WriteStartObject();
        w.WriteString("event_action", presentation.PagerDutyEventAction);
        w.WriteString("dedup_key", dedupKey);

        w.WritePropertyName("payload");
        w.WriteStartObject();
        w.WriteString("summary", Summary(alert, presentation, drill));
        w.WriteString("source", Source(alert));
        w.WriteString("severity", AlertPresentation.PagerDutySeverity(alert.Severity));
        w.WriteString("timestamp", AlertPresentation.Timestamp(alert.StateTimestamp));
        w.WriteIfPresent("component", Label(alert, "service"));
        w.WriteString("group", $"{UntrustedText.OneLine(alert.Account)}/{UntrustedText.OneLine(alert.Region)}");
        w.WriteIfPresent("class", Class(alert));
        w.WritePropertyName("custom_details");
        WriteDetails(w, alert, drill, level);
        w.WriteEndObject();

        w.WriteStartArray("links");
        if (level.IncludeLinks)
        {
            foreach (var link in alert.Links)
            {
                var href = UntrustedText.WebUrl(link.Href);
                if (href is null)
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("href", href);
                w.WriteString("text", Truncation.ToChars(UntrustedText.OneLine(link.Text), ChannelLimits.FreeTextChars));
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteString("client", Client);
        w.WriteEndObject();
    }

    private static void WriteDetails(Utf8JsonWriter w, Alert alert, bool drill, DetailLevel level)
    {
        w.WriteStartObject();
        if (level.IncludeDetails)
        {
            w.WritePropertyName("labels");
            w.WriteStartObject();
            foreach (var (key, value) in AlertPresentation.OrderedLabels(alert))
            {
                w.WriteString(Cap(UntrustedText.OneLine(key), level), Cap(UntrustedText.Clean(value), level));
            }

            w.WriteEndObject();
            w.WriteIfPresent("reason", Cap(UntrustedText.Clean(alert.Reason), level));
            w.WriteIfPresent("description", Cap(UntrustedText.Clean(alert.Description), level));
            w.WriteString("state", alert.State.Wire());
            w.WriteIfPresent("previousState", UntrustedText.OneLine(alert.PreviousState));
        }
        else
        {
            w.WriteString("truncated", $"{Truncation.Marker} details exceeded the PagerDuty body limit");
        }

        w.WriteString("alertKey", alert.Key);
        w.WriteBoolean("drill", drill);
        w.WriteIfPresent("replayName", UntrustedText.OneLine(alert.ReplayName));
        w.WriteIfPresent("traceId", UntrustedText.OneLine(alert.TraceId));
        w.WriteEndObject();
    }

    private static string Summary(Alert alert, AlertPresentation presentation, bool drill)
    {
        var tags = (drill ? "[DRILL] " : string.Empty) + (presentation.SummaryTag is { } tag ? tag + " " : string.Empty);
        return Truncation.ToChars(tags + UntrustedText.OneLine(alert.Summary), PagerDutyLimits.SummaryChars);
    }

    /// <summary>The alarm ARN names the affected thing uniquely; DLQ alerts have none, so account/region.</summary>
    private static string Source(Alert alert)
    {
        var arn = UntrustedText.OneLine(alert.Arn);
        return arn.Length > 0 ? arn : $"{UntrustedText.OneLine(alert.Account)}/{UntrustedText.OneLine(alert.Region)}";
    }

    private static string? Class(Alert alert)
    {
        var ns = Label(alert, "namespace");
        var metric = Label(alert, "metric");
        return ns.Length > 0 && metric.Length > 0 ? $"{ns}/{metric}" : ns.Length > 0 ? ns : metric.Length > 0 ? metric : alert.Source.Wire();
    }

    private static string Label(Alert alert, string name) =>
        alert.Labels.TryGetValue(name, out var value) ? UntrustedText.OneLine(value) : string.Empty;

    private static string Cap(string text, DetailLevel level) =>
        text.Length > level.MaxValueChars ? Truncation.ToChars(text, level.MaxValueChars) : text;

    private sealed record DetailLevel(int MaxValueChars, bool IncludeDetails, bool IncludeLinks);
}
