using System.Text.Json;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Webhook;

/// <summary>The pipeline's own notices as generic webhook bodies: data, with the sentence as text.</summary>
internal static class WebhookNotices
{
    /// <summary>What every notice body starts with: its version, its kind and its sentence.</summary>
    private static void Start(Utf8JsonWriter w, string kind, string text)
    {
        w.WriteStartObject();
        w.WriteString("version", "1");
        w.WriteString("kind", kind);
        w.WriteString("text", text);
    }

    public static void WriteBudget(Utf8JsonWriter w, BudgetNotice n, string text, bool drill)
    {
        Start(w, "budget", text);
        w.WritePropertyName("budget");
        BudgetMessage.WriteDetails(w, n, drill);
        w.WriteEndObject();
    }

    public static void WriteReactionOutcome(Utf8JsonWriter w, ReactionRunRecord run, ReactionOutcome outcome, string text)
    {
        Start(w, "reactionOutcome", text);
        w.WriteStartObject("reaction");
        ReactionOutcomeNotice.WriteFields(w, run, outcome);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteTest(Utf8JsonWriter w, string text)
    {
        Start(w, "test", text);
        w.WriteEndObject();
    }

    public static void WriteFlood(Utf8JsonWriter w, string text, long heldForAlert, long heldForReceiver)
    {
        Start(w, "flood", text);
        w.WriteStartObject("held");
        w.WriteNumber("forAlert", heldForAlert);
        w.WriteNumber("forReceiver", heldForReceiver);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
