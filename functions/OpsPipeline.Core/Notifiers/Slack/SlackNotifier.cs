using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Slack;

/// <summary>Slack incoming webhooks: Block Kit messages, untrusted text escaped as mrkdwn, posted to the secret URL.</summary>
public sealed class SlackNotifier : Notifier
{
    public const string ChannelName = "slack";

    private SlackNotifier()
    {
    }

    public static SlackNotifier Instance { get; } = new();

    public override string Name => ChannelName;

    public override IReadOnlyList<string> SettingKeys { get; } = ["webhookUrlParameter"];

    /// <summary>Slack allows about one message a second per webhook, with short bursts.</summary>
    public override int DefaultReceiverPerMinute => 20;

    public override ReceiverSettings ReadSettings(ChannelBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new SlackReceiver(block.Parameter("webhookUrlParameter"));
    }

    internal override Delivery RenderAlert(Delivery delivery, Alert alert, string action, AlertPresentation presentation, bool drill) =>
        delivery with { PayloadUtf8 = SlackMessage.Render(alert, presentation, drill) };

    internal override Delivery RenderDigest(Delivery delivery, AlertDigest digest, bool drill) =>
        delivery with { PayloadUtf8 = SlackDigest.Render(digest, drill) };

    internal override Delivery RenderBudget(Delivery delivery, BudgetNotice notice, string text, bool drill) =>
        delivery with { PayloadUtf8 = PayloadJson.Write(w => SlackNotices.Write(w, ":chart_with_downwards_trend:", text)) };

    internal override Delivery RenderFlood(Delivery delivery, FloodCounts held, string text) =>
        delivery with { PayloadUtf8 = PayloadJson.Write(w => SlackNotices.Write(w, ":no_entry:", text)) };

    internal override Delivery RenderReactionOutcome(Delivery delivery, ReactionRunRecord run, ReactionOutcome outcome, string text) =>
        delivery with { PayloadUtf8 = PayloadJson.Write(w => SlackNotices.Write(w, outcome.Result == ReactionResult.Succeeded ? ":white_check_mark:" : ":warning:", text)) };

    internal override IReadOnlyList<Delivery> RenderTest(Delivery delivery, string text) =>
        [delivery with { PayloadUtf8 = PayloadJson.Write(w => SlackNotices.Write(w, ":test_tube:", text)) }];
}
