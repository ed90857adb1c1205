using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.PagerDuty;

/// <summary>
/// PagerDuty Events API v2: one event per alert (trigger and resolve paired by dedup_key), the routing key joined to
/// the body only at send time, so it never travels through the state machine.
/// </summary>
public sealed class PagerDutyNotifier : Notifier
{
    public const string ChannelName = "pagerduty";

    // The renderers size bodies for UTF-8 as written; the default encoder would turn every non-ASCII
    // character into \uXXXX and could push a body past the receiver's limit.
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private PagerDutyNotifier()
    {
    }

    public static PagerDutyNotifier Instance { get; } = new();

    public override string Name => ChannelName;

    public override IReadOnlyList<string> SettingKeys { get; } = ["routingKeyParameter"];

    public override bool OneEventPerAlert => true;

    public override string? SecretBodyField => "routing_key";

    public override int AcceptedStatus => 202;

    public override string? AcceptedBody => "{\"status\":\"success\",\"message\":\"Event processed\"}";

    public override ReceiverSettings ReadSettings(ChannelBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new PagerDutyReceiver(block.Parameter("routingKeyParameter"));
    }

    internal override Delivery RenderAlert(Delivery delivery, Alert alert, string action, AlertPresentation presentation, bool drill) =>
        delivery with { PayloadUtf8 = PagerDutyEvent.Render(alert, presentation, delivery.DedupKey, drill) };

    internal override Delivery RenderDigest(Delivery delivery, AlertDigest digest, bool drill) =>
        delivery with { PayloadUtf8 = PagerDutyDigest.Render(digest, delivery.DedupKey, drill) };

    internal override Delivery RenderBudget(Delivery delivery, BudgetNotice notice, string text, bool drill) =>
        delivery with { PayloadUtf8 = PayloadJson.Write(w => PagerDutyNotices.WriteBudget(w, notice, delivery.DedupKey, text, drill)) };

    internal override Delivery RenderFlood(Delivery delivery, FloodCounts held, string text) =>
        delivery with { PayloadUtf8 = PayloadJson.Write(w => PagerDutyNotices.WriteFlood(w, delivery.DedupKey, text, held.Total)) };

    internal override Delivery RenderReactionOutcome(Delivery delivery, ReactionRunRecord run, ReactionOutcome outcome, string text) =>
        delivery with { PayloadUtf8 = PayloadJson.Write(w => PagerDutyNotices.WriteReactionOutcome(w, run, outcome, text)) };

    /// <summary>
    /// Where PagerDuty takes a delivery: a reaction's outcome is a change event (Change Events API: it never pages,
    /// it shows on the service's timeline), beside the events API (<c>…/v2/enqueue</c> → <c>…/v2/change/enqueue</c>).
    /// </summary>
    public static Uri UrlFor(Delivery delivery, Uri keyedApiUrl)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(keyedApiUrl);
        return delivery.Action == DeliveryActions.ReactionOutcome ? new Uri(keyedApiUrl, "change/enqueue") : keyedApiUrl;
    }

    /// <summary>A trigger at severity info, then its resolve: the test reaches the service and leaves no incident open.</summary>
    internal override IReadOnlyList<Delivery> RenderTest(Delivery delivery, string text) =>
    [
        delivery with { PayloadUtf8 = PayloadJson.Write(w => PagerDutyNotices.WriteTest(w, delivery.DedupKey, text, "trigger")) },
        delivery with { Action = DeliveryActions.Resolve, PayloadUtf8 = PayloadJson.Write(w => PagerDutyNotices.WriteTest(w, delivery.DedupKey, text, "resolve")) },
    ];

    public override HttpRequestPlan? BuildRequest(Delivery delivery, string secret, Uri keyedApiUrl)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (JsonNode.Parse(delivery.PayloadUtf8.Span) is not JsonObject node)
        {
            return HttpRequestPlan.Refused("pagerduty payload is not a JSON object");
        }

        // routing_key first, then the body as rendered.
        var withKey = new JsonObject { [SecretBodyField!] = secret };
        foreach (var (name, value) in node.ToList())
        {
            node.Remove(name);
            withKey[name] = value;
        }

        return new HttpRequestPlan(UrlFor(delivery, keyedApiUrl), withKey.ToJsonString(RelaxedJson), null);
    }
}
