using System.Globalization;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers;

/// <summary>
/// `opsctl notify test`: a message that says plainly it is a test, who sent it and when, in the receiver's own channel
/// format, so a team sees the real path (secret, URL, channel) work before a real page depends on it.
/// </summary>
public static class TestNotice
{
    /// <summary>The longest sender name carried (it is the operator's user name, from the caller).</summary>
    public const int MaxFromChars = 64;

    /// <summary>"[TEST] opsctl notify test from alice at 2026-12-02T03:00:00Z".</summary>
    public static string Summary(string from, DateTimeOffset at)
    {
        var who = UntrustedText.OneLine(from).Trim();
        who = who.Length == 0 ? "unknown" : who.Length > MaxFromChars ? who[..MaxFromChars] : who;
        return string.Create(CultureInfo.InvariantCulture, $"[TEST] opsctl notify test from {who} at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
    }

    /// <summary>The text every channel carries: the summary and that no action is needed.</summary>
    public static string Text(string summary) => summary + ": a test of this receiver's wiring, not an alert. No action needed.";

    /// <summary>The deliveries that send the test to <paramref name="receiver"/> (PagerDuty: a trigger and its resolve).</summary>
    /// <exception cref="ArgumentException">A receiver with no channel configured.</exception>
    public static IReadOnlyList<Delivery> Render(ReceiverConfig receiver, string from, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var summary = Summary(from, at);
        var key = string.Create(CultureInfo.InvariantCulture, $"notify-test:{receiver.Name}:{at.ToUnixTimeSeconds()}");
        var delivery = DeliveryRenderer.NewDelivery(receiver, DeliveryActions.Test, key, drill: false);
        return DeliveryRenderer.NotifierOf(receiver).RenderTest(delivery, Text(summary));
    }

    /// <summary>The configured receiver nearest to a mistyped name, or null when none is close enough to be a typo.</summary>
    public static string? NearestReceiver(PipelineConfig config, string name)
    {
        ArgumentNullException.ThrowIfNull(config);
        var best = config.Receivers.Select(r => (r.Name, Distance: EditDistance.Between(name, r.Name))).OrderBy(r => r.Distance).ThenBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, name.Length / 3) ? best.Name : null;
    }
}
