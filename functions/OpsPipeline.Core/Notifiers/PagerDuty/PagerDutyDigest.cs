using System.Text.Json;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.PagerDuty;

/// <summary>
/// The PagerDuty Events API v2 trigger for a group of alerts: one incident per group (dedup_key from the group
/// key), at the group's worst severity. No routing_key: Deliver adds it, as for single alerts.
/// </summary>
internal static class PagerDutyDigest
{
    /// <summary>Links to the first alarms only: the incident is about the group, the list is in custom_details.</summary>
    public const int Links = 5;

    public static byte[] Render(AlertDigest digest, string dedupKey, bool drill)
    {
        var body = PayloadJson.Write(w => WriteTrigger(w, digest, dedupKey, drill, listAlerts: true));
        return body.Length <= PagerDutyLimits.BodyBytes
            ? body
            : PayloadJson.Write(w => WriteTrigger(w, digest, dedupKey, drill, listAlerts: false)); // only with absurd alert keys
    }

    private static void WriteTrigger(Utf8JsonWriter w, AlertDigest digest, string dedupKey, bool drill, bool listAlerts)
    {
        w.WriteStartObject();
        w.WriteString("event_action", "trigger");
        w.WriteString("dedup_key", dedupKey);

        w.WritePropertyName("payload");
        w.WriteStartObject();
        w.WriteString("summary", Summary(digest, drill));
        w.WriteString("source", Truncation.ToChars(UntrustedText.OneLine(digest.GroupKey), ChannelLimits.FreeTextChars));
        w.WriteString("severity", digest.WorstSeverity);
        w.WriteString("timestamp", AlertPresentation.Timestamp(digest.LatestChange));
        w.WriteIfPresent("component", digest.GroupLabels.FirstOrDefault(l => l.Key == "service").Value);
        w.WriteString("class", "digest");
        w.WritePropertyName("custom_details");
        WriteDetails(w, digest, drill, listAlerts);
        w.WriteEndObject();

        w.WriteStartArray("links");
        foreach (var entry in digest.Listed.Where(e => e.Link is not null).Take(Links))
        {
            w.WriteStartObject();
            w.WriteString("href", entry.Link);
            w.WriteString("text", entry.Name);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("client", PagerDutyEvent.Client);
        w.WriteEndObject();
    }

    private static void WriteDetails(Utf8JsonWriter w, AlertDigest digest, bool drill, bool listAlerts)
    {
        w.WriteStartObject();
        w.WriteString("groupKey", digest.GroupKey);
        w.WriteStringMap("groupLabels", digest.GroupLabels);
        w.WriteNumber("count", digest.Count);
        w.WriteString("worstSeverity", digest.WorstSeverity);
        if (listAlerts)
        {
            w.WriteStartArray("alerts");
            foreach (var entry in digest.Listed)
            {
                w.WriteStartObject();
                w.WriteString("alertKey", entry.Key);
                w.WriteString("name", entry.Name);
                w.WriteString("state", entry.State);
                w.WriteString("severity", entry.Severity);
                w.WriteString("summary", entry.Summary);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("omitted", digest.Omitted);
        }
        else
        {
            w.WriteString("truncated", $"{Truncation.Marker} the alert list exceeded the PagerDuty body limit");
        }

        w.WriteBoolean("drill", drill);
        w.WriteIfPresent("replayName", digest.ReplayName);
        w.WriteEndObject();
    }

    /// <summary>"[DRILL] 5 alerts firing for service=checkout: a, b, c, … and 2 more", at most 1,024 characters.</summary>
    private static string Summary(AlertDigest digest, bool drill)
    {
        var group = digest.GroupText;
        var prefix = (drill ? "[DRILL] " : string.Empty) + digest.CountText + (group.Length > 0 ? $" for {group}" : string.Empty) + ": ";
        return digest.NameList(prefix, PagerDutyLimits.SummaryChars);
    }
}
