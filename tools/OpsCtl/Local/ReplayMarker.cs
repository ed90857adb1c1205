using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpsCtl.Local;

/// <summary>Marks events as EventBridge marks events replayed from an archive (a top-level "replay-name").</summary>
public static class ReplayMarker
{
    public static string Mark(string eventJson, string replayName)
    {
        try
        {
            if (JsonNode.Parse(eventJson) is JsonObject o)
            {
                o["replay-name"] = replayName;
                return o.ToJsonString();
            }
        }
        catch (JsonException)
        {
            // Not an event: leave it to be rejected as it is.
        }

        return eventJson;
    }
}
