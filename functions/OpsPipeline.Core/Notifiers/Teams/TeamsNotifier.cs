using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Teams;

/// <summary>
/// Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): a message with one
/// Adaptive Card, untrusted text escaped for the card's Markdown, under Teams' 28 KB message limit, posted to the
/// secret URL. The flow answers 202 Accepted.
/// </summary>
public sealed class TeamsNotifier : Notifier
{
    public const string ChannelName = "teams";

    private TeamsNotifier()
    {
    }

    public static TeamsNotifier Instance { get; } = new();

    public override string Name => ChannelName;

    public override IReadOnlyList<string> SettingKeys { get; } = ["webhookUrlParameter"];

    /// <summary>Teams throttles a webhook that posts more than a few messages a second; a flood stays far below.</summary>
    public override int DefaultReceiverPerMinute => 20;

    public override int AcceptedStatus => 202;

    public override ReceiverSettings ReadSettings(ChannelBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new TeamsReceiver(block.Parameter("webhookUrlParameter"));
    }

    internal override Delivery RenderAlert(Delivery delivery, Alert alert, string action, AlertPresentation presentation, bool drill) =>
        delivery with { PayloadUtf8 = TeamsMessage.Alert(alert, action, presentation, drill) };

    internal override Delivery RenderDigest(Delivery delivery, AlertDigest digest, bool drill) =>
        delivery with { PayloadUtf8 = TeamsMessage.Digest(digest, drill) };

    internal override Delivery RenderBudget(Delivery delivery, BudgetNotice notice, string text, bool drill) =>
        delivery with { PayloadUtf8 = TeamsMessage.Notice("Error budget", notice.Kind is BudgetNotice.BurnResolved or BudgetNotice.IncidentResolved or BudgetNotice.IncidentEnded ? "Good" : "Attention", text) };

    internal override Delivery RenderFlood(Delivery delivery, FloodCounts held, string text) =>
        delivery with { PayloadUtf8 = TeamsMessage.Notice("Flood guard", "Warning", text) };

    internal override Delivery RenderReactionOutcome(Delivery delivery, ReactionRunRecord run, ReactionOutcome outcome, string text) =>
        delivery with { PayloadUtf8 = TeamsMessage.Notice("Auto-reaction " + outcome.Word, outcome.Result == ReactionResult.Succeeded ? "Good" : "Attention", text) };

    internal override IReadOnlyList<Delivery> RenderTest(Delivery delivery, string text) =>
        [delivery with { PayloadUtf8 = TeamsMessage.Notice("Test", "Accent", text) }];
}
