using System.Text.Json;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Webhook;

/// <summary>
/// The generic webhook body for a group of alerts: data, not display (nothing escaped, control characters
/// removed). Same version as single-alert bodies; <c>kind</c> tells the two shapes apart. <c>count</c>, <c>firing</c>,
/// <c>resolved</c> and <c>alerts</c> are the update's own members, as before; <c>groupFiring</c> and <c>parts</c>
/// (new, still firing, resolved) say the state of the whole group, the members still firing from earlier updates too.
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
            w.WriteNumber("count", digest.Members);
            w.WriteNumber("firing", digest.Firing - digest.Others.Count);
            w.WriteNumber("resolved", digest.Resolved);
            w.WriteNumber("groupFiring", digest.Firing);
            w.WriteString("worstSeverity", digest.WorstSeverity);
            w.WriteString("latestChange", AlertPresentation.Timestamp(digest.LatestChange));

            w.WriteStartArray("alerts");
            foreach (var entry in digest.Listed)
            {
                w.WriteStartObject();
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
            WriteParts(w, digest);
            w.WriteEndObject();
        });

    /// <summary>
    /// Each part's count and the alerts it names, by name and severity: its listed members (whole in <c>alerts</c>,
    /// keys included; not repeated here, as keys can be long) and, still firing, the group's other members as its
    /// record names them. A count above its list is the rest.
    /// </summary>
    private static void WriteParts(Utf8JsonWriter w, AlertDigest digest)
    {
        w.WriteStartObject("parts");
        foreach (var part in AlertDigest.PartsInOrder)
        {
            w.WriteStartObject(part switch { DigestPart.New => "new", DigestPart.StillFiring => "stillFiring", _ => "resolved" });
            w.WriteNumber("count", digest.CountOf(part));
            w.WriteStartArray("alerts");
            foreach (var entry in digest.ListedIn(part))
            {
                w.WriteStartObject();
                w.WriteString("name", entry.Name);
                w.WriteString("severity", entry.Severity);
                w.WriteEndObject();
            }

            foreach (var member in part == DigestPart.StillFiring ? digest.Others.Named : [])
            {
                w.WriteStartObject();
                w.WriteString("name", member.Name);
                w.WriteString("severity", member.Severity);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
