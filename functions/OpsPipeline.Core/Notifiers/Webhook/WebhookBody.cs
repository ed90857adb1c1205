using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Webhook;

/// <summary>
/// The generic webhook body: the alert as data (camelCase, stable property order, version field) for a
/// receiver we do not know, so nothing is escaped for display; control characters are still removed.
/// </summary>
internal static class WebhookBody
{
    /// <summary>Bumped when a field changes meaning or disappears; new fields do not bump it.</summary>
    internal const string Version = "1";

    public static byte[] Render(Alert alert, string action, string dedupKey, bool drill) =>
        PayloadJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("version", Version);
            w.WriteString("action", action);
            w.WriteString("alertKey", alert.Key);
            w.WriteString("dedupKey", dedupKey);
            w.WriteBoolean("drill", drill);
            w.WriteIfPresent("replayName", UntrustedText.OneLine(alert.ReplayName));
            w.WriteString("status", AlertPresentation.StatusText(alert.Status));
            w.WriteString("state", alert.State.Wire());
            w.WriteIfPresent("previousState", UntrustedText.OneLine(alert.PreviousState));
            w.WriteString("stateTimestamp", AlertPresentation.Timestamp(alert.StateTimestamp));
            w.WriteString("severity", UntrustedText.OneLine(alert.Severity));
            w.WriteString("name", UntrustedText.OneLine(alert.Name));
            w.WriteString("summary", FreeText(alert.Summary));
            w.WriteIfPresent("description", FreeText(alert.Description));
            w.WriteIfPresent("reason", FreeText(alert.Reason));
            w.WriteString("source", alert.Source.Wire());
            w.WriteIfPresent("arn", UntrustedText.OneLine(alert.Arn));
            w.WriteString("account", UntrustedText.OneLine(alert.Account));
            w.WriteString("region", UntrustedText.OneLine(alert.Region));
            w.WriteString("eventId", UntrustedText.OneLine(alert.EventId));
            w.WriteIfPresent("traceId", UntrustedText.OneLine(alert.TraceId));

            w.WritePropertyName("labels");
            w.WriteStartObject();
            foreach (var (key, value) in AlertPresentation.OrderedLabels(alert))
            {
                w.WriteString(UntrustedText.OneLine(key), FreeText(value));
            }

            w.WriteEndObject();

            w.WriteStartArray("links");
            foreach (var link in alert.Links)
            {
                if (UntrustedText.WebUrl(link.Href) is { } href)
                {
                    w.WriteStartObject();
                    w.WriteString("text", UntrustedText.OneLine(link.Text));
                    w.WriteString("href", href);
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static string FreeText(string? text) => Truncation.ToChars(UntrustedText.Clean(text), ChannelLimits.FreeTextChars);
}
