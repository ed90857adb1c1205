using System.Text.Json;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Notifiers.Teams;

namespace OpsPipeline.Core.Tests.Notifiers.Teams;

/// <summary>The Teams receiver of the rendering tests, and readers for the card inside a Teams message.</summary>
internal static class TeamsSamples
{
    public static readonly ReceiverConfig Chat = new() { Name = "chat", Settings = new TeamsReceiver("/ops/teams/chat") };

    /// <summary>The Adaptive Card of a rendered Teams message.</summary>
    public static JsonElement Card(JsonElement payload) => payload.GetProperty("attachments")[0].GetProperty("content");

    /// <summary>The text of every TextBlock of the card's body, in order.</summary>
    public static List<string> Texts(JsonElement payload) =>
    [
        .. Card(payload).GetProperty("body").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "TextBlock")
            .Select(e => e.GetProperty("text").GetString()!),
    ];

    /// <summary>The card's facts as title → value.</summary>
    public static Dictionary<string, string> Facts(JsonElement payload) =>
        Card(payload).GetProperty("body").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "FactSet")
            .SelectMany(e => e.GetProperty("facts").EnumerateArray())
            .ToDictionary(f => f.GetProperty("title").GetString()!, f => f.GetProperty("value").GetString()!);
}
