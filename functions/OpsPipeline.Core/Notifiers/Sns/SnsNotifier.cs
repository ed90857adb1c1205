using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Sns;

/// <summary>
/// SNS topics (email, SMS fan-out): a subject and a plain-text message, published by the state machine's native
/// sns:publish integration, so Deliver never sends it and it has no HTTP request.
/// </summary>
public sealed class SnsNotifier : Notifier
{
    public const string ChannelName = "sns";

    private SnsNotifier()
    {
    }

    public static SnsNotifier Instance { get; } = new();

    public override string Name => ChannelName;

    public override IReadOnlyList<string> SettingKeys { get; } = ["topicArn"];

    public override bool SentOverHttp => false;

    public override ReceiverSettings ReadSettings(ChannelBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new SnsReceiver(block.Text("topicArn"));
    }

    internal override Delivery RenderAlert(Delivery delivery, Alert alert, string action, AlertPresentation presentation, bool drill) => delivery with
    {
        Subject = SnsMessage.Subject(alert, action, drill),
        PayloadUtf8 = PayloadJson.String(SnsMessage.Text(alert, presentation, drill)),
    };

    internal override Delivery RenderDigest(Delivery delivery, AlertDigest digest, bool drill) => delivery with
    {
        Subject = SnsDigest.Subject(digest, drill),
        PayloadUtf8 = PayloadJson.String(SnsDigest.Text(digest, drill)),
    };

    internal override Delivery RenderBudget(Delivery delivery, BudgetNotice notice, string text, bool drill) =>
        delivery with { Subject = BudgetSubject(notice, drill), PayloadUtf8 = PayloadJson.String(text) };

    internal override Delivery RenderFlood(Delivery delivery, FloodCounts held, string text) =>
        delivery with { Subject = "[FLOOD GUARD] notifications held", PayloadUtf8 = PayloadJson.String(text) };

    internal override Delivery RenderReactionOutcome(Delivery delivery, ReactionRunRecord run, ReactionOutcome outcome, string text) =>
        delivery with { Subject = Truncation.ToChars($"[AUTO-REACTION {outcome.Word.ToUpperInvariant()}] {UntrustedText.OneLine(run.Reaction)}", 100), PayloadUtf8 = PayloadJson.String(text) };

    internal override IReadOnlyList<Delivery> RenderTest(Delivery delivery, string text) =>
        [delivery with { Subject = "[TEST] opsctl notify test", PayloadUtf8 = PayloadJson.String(text) }];

    private static string BudgetSubject(BudgetNotice n, bool drill)
    {
        var tag = n.Kind switch
        {
            BudgetNotice.BurnFiring => "[BURN]",
            BudgetNotice.BurnResolved => "[BURN OK]",
            BudgetNotice.IncidentResolved => "[INCIDENT RESOLVED]",
            BudgetNotice.IncidentEnded => "[INCIDENT COST]",
            _ => "[BUDGET EXHAUSTED]",
        };
        var subject = $"{(drill ? "[DRILL] " : string.Empty)}{tag} {UntrustedText.OneLine(n.Slo.Name)}";
        // SNS subjects: printable ASCII only, at most 100 characters.
        var ascii = new string([.. subject.Where(c => c is >= ' ' and <= '~')]);
        return Truncation.ToChars(ascii, SnsLimits.SubjectChars);
    }
}
