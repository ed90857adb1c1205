using System.Text.Json;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Webhook;

/// <summary>
/// The generic webhook body for a group of alerts: data, not display (nothing escaped, control characters
/// removed). Same version as single-alert bodies; <c>kind</c> tells the two shapes apart.
/// </summary>
internal static class WebhookDigest
{
    public static byte[] Render(AlertDigest digest, string dedupKey, bool drill) =>
        PayloadJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("version", WebhookBody.Version);
            w.WriteString("kind", "digest");

            // Also "action", where single-alert bodies have it, so a receiver can switch on one field for both.
            w.WriteString("action", DeliveryActions.Digest);
            w.WriteString("groupKey", digest.GroupKey);
            w.WriteString("dedupKey", dedupKey);
            w.WriteBoolean("drill", drill);
            w.WriteIfPresent("replayName", digest.ReplayName);
            w.WriteStringMap("groupLabels", digest.GroupLabels);
            w.WriteNumber("count", digest.Count);
            w.WriteNumber("firing", digest.Firing);
            w.WriteNumber("resolved", digest.Resolved);
            w.WriteString("worstSeverity", digest.WorstSeverity);
            w.WriteString("latestChange", AlertPresentation.Timestamp(digest.LatestChange));

            w.WriteStartArray("alerts");
            foreach (var entry in digest.Listed)
            {
                w.WriteStartObject();
                w.WriteString("alertKey", entry.Key);
                w.WriteString("name", entry.Name);
                w.WriteString("status", entry.Status);
                w.WriteString("state", entry.State);
                w.WriteString("stateTimestamp", AlertPresentation.Timestamp(entry.StateTimestamp));
                w.WriteString("severity", entry.Severity);
                w.WriteString("summary", entry.Summary);
                w.WriteIfPresent("link", entry.Link);
                w.WriteEndObject();
            }

            w.WriteEndArray();

            // Counted but not listed: the list is capped like every other channel's, to bound the body.
            w.WriteNumber("omitted", digest.Omitted);
            w.WriteEndObject();
        });
}
