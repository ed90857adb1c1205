using System.Globalization;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers;

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
        var notifier = DeliveryRenderer.NotifierOf(receiver);
        var delivery = DeliveryRenderer.NewDelivery(receiver, DeliveryActions.Flood, key, drill: false);
        return notifier.RenderFlood(delivery, new FloodCounts(heldForAlert, heldForReceiver), text);
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
}
