using System.Globalization;
using System.Text.Json;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Rendering;

/// <summary>
/// The flood guard's one summary to a receiver: how many notifications it held, since when, and why, so a flood
/// is itself one notice instead of many. On PagerDuty one incident per receiver (dedup_key flood-guard:NAME).
/// </summary>
public static class FloodNotice
{
    public static Delivery Render(ReceiverConfig receiver, long heldForAlert, long heldForReceiver, DateTimeOffset since, int alertPerHour, int receiverPerMinute)
    {
        var text = Text(receiver.Name, heldForAlert, heldForReceiver, since, alertPerHour, receiverPerMinute);
        var key = "flood-guard:" + receiver.Name;
        var delivery = new Delivery
        {
            Receiver = receiver.Name,
            Channel = receiver.Channel,
            Action = DeliveryActions.Flood,
            AlertKey = key,
            DedupKey = DedupKeys.For(key),
            Target = DeliveryRenderer.Target(receiver),
        };
        return receiver.Channel switch
        {
            Channels.Slack => delivery with { PayloadUtf8 = PayloadJson.Write(w => BudgetMessage.WriteSlackNotice(w, ":no_entry:", text)) },
            Channels.PagerDuty => delivery with { PayloadUtf8 = PayloadJson.Write(w => PagerDuty(w, delivery.DedupKey, text, heldForAlert + heldForReceiver)) },
            Channels.Sns => delivery with { Subject = "[FLOOD GUARD] notifications held", PayloadUtf8 = PayloadJson.String(text) },
            _ => delivery with { PayloadUtf8 = PayloadJson.Write(w => Webhook(w, text, heldForAlert, heldForReceiver)) },
        };
    }

    /// <summary>The one sentence every channel carries.</summary>
    public static string Text(string receiver, long heldForAlert, long heldForReceiver, DateTimeOffset since, int alertPerHour, int receiverPerMinute)
    {
        var why = new List<string>();
        if (heldForAlert > 0)
        {
            why.Add(string.Create(CultureInfo.InvariantCulture, $"{heldForAlert} because an alert had sent {alertPerHour} within the hour"));
        }

        if (heldForReceiver > 0)
        {
            why.Add(string.Create(CultureInfo.InvariantCulture, $"{heldForReceiver} because {UntrustedText.OneLine(receiver)} had got {receiverPerMinute} within the minute"));
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"flood guard: {heldForAlert + heldForReceiver} notification(s) to {UntrustedText.OneLine(receiver)} held ({Floods.FloodGuard.Reason}) since {since.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {string.Join("; ", why)}. First triggers and resolves were always sent; opsctl local --explain or the alerts' last reasons show which.");
    }

    private static void PagerDuty(Utf8JsonWriter w, string dedupKey, string text, long held)
    {
        w.WriteStartObject();
        w.WriteString("event_action", "trigger");
        w.WriteString("dedup_key", dedupKey);
        w.WriteStartObject("payload");
        w.WriteString("summary", Truncation.ToChars(text, ChannelLimits.PagerDutySummaryChars));
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

    private static void Webhook(Utf8JsonWriter w, string text, long heldForAlert, long heldForReceiver)
    {
        w.WriteStartObject();
        w.WriteString("version", "1");
        w.WriteString("kind", "flood");
        w.WriteString("text", text);
        w.WriteStartObject("held");
        w.WriteNumber("forAlert", heldForAlert);
        w.WriteNumber("forReceiver", heldForReceiver);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
