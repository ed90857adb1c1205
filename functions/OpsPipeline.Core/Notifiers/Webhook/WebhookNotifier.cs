using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Webhook;

/// <summary>Generic webhooks: the alert as versioned data for a receiver we do not know, posted to the secret URL.</summary>
public sealed class WebhookNotifier : Notifier
{
    public const string ChannelName = "webhook";

    private WebhookNotifier()
    {
    }

    public static WebhookNotifier Instance { get; } = new();

    public override string Name => ChannelName;

    public override IReadOnlyList<string> SettingKeys { get; } = ["urlParameter"];

    public override ReceiverSettings ReadSettings(ChannelBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new WebhookReceiver(block.Parameter("urlParameter"));
    }

    internal override Delivery RenderAlert(Delivery delivery, Alert alert, string action, AlertPresentation presentation, bool drill) =>
        delivery with { PayloadUtf8 = WebhookBody.Render(alert, action, delivery.DedupKey, drill) };

    internal override Delivery RenderDigest(Delivery delivery, AlertDigest digest, bool drill) =>
        delivery with { PayloadUtf8 = WebhookDigest.Render(digest, delivery.DedupKey, drill) };

    internal override Delivery RenderBudget(Delivery delivery, BudgetNotice notice, string text, bool drill) =>
        delivery with { PayloadUtf8 = PayloadJson.Write(w => WebhookNotices.WriteBudget(w, notice, text, drill)) };

    internal override Delivery RenderFlood(Delivery delivery, FloodCounts held, string text) =>
        delivery with { PayloadUtf8 = PayloadJson.Write(w => WebhookNotices.WriteFlood(w, text, held.ForAlert, held.ForReceiver)) };

    internal override Delivery RenderReactionOutcome(Delivery delivery, ReactionRunRecord run, ReactionOutcome outcome, string text) =>
        delivery with { PayloadUtf8 = PayloadJson.Write(w => WebhookNotices.WriteReactionOutcome(w, run, outcome, text)) };

    internal override IReadOnlyList<Delivery> RenderTest(Delivery delivery, string text) =>
        [delivery with { PayloadUtf8 = PayloadJson.Write(w => WebhookNotices.WriteTest(w, text)) }];
}
