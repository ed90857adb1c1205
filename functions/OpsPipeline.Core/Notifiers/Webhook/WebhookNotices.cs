using System.Text.Json;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Webhook;

/// <summary>The pipeline's own notices as generic webhook bodies: data, with the sentence as text.</summary>
internal static class WebhookNotices
{
    public static void WriteBudget(Utf8JsonWriter w, BudgetNotice n, string text, bool drill)
    {
        w.WriteStartObject();
        w.WriteString("version", "1");
        w.WriteString("kind", "budget");
        w.WriteString("text", text);
        w.WritePropertyName("budget");
        BudgetMessage.WriteDetails(w, n, drill);
        w.WriteEndObject();
    }

    public static void WriteReactionOutcome(Utf8JsonWriter w, ReactionRunRecord run, ReactionOutcome outcome, string text)
    {
        w.WriteStartObject();
        w.WriteString("version", "1");
        w.WriteString("kind", "reactionOutcome");
        w.WriteString("text", text);
        w.WriteStartObject("reaction");
        ReactionOutcomeNotice.WriteFields(w, run, outcome);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteTest(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("version", "1");
        w.WriteString("kind", "test");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    public static void WriteFlood(Utf8JsonWriter w, string text, long heldForAlert, long heldForReceiver)
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
