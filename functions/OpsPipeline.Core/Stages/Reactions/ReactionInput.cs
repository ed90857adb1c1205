using System.Text.Json.Nodes;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Stages.Reactions;

/// <summary>
/// A reaction's input for one alert: its template with every placeholder replaced (inside JSON strings, so a value
/// cannot change the object's shape), or by default the alert and its labels. An ssmAutomation's input is its
/// parameters (each a list of strings, as Automation takes them); an sqsRedrive's is its source and destination.
/// </summary>
public static class ReactionInput
{
    public static Reaction Build(ReactionConfig reaction, Alert alert, DateTimeOffset now)
    {
        var action = reaction.Action;
        JsonNode input = action.Kind switch
        {
            ReactionKind.SsmAutomation => new JsonObject(action.Parameters.Select(p =>
                KeyValuePair.Create(p.Key, (JsonNode?)new JsonArray(JsonValue.Create(ReactionTemplate.Replace(p.Value, n => Value(n, alert))))))),
            ReactionKind.SqsRedrive => action.DestinationArn is { } destination
                ? new JsonObject { ["SourceArn"] = action.Target, ["DestinationArn"] = destination }
                : new JsonObject { ["SourceArn"] = action.Target },
            _ => reaction.InputTemplate is { } template ? Render(JsonNode.Parse(template)!, alert) : Default(alert),
        };
        return new Reaction(reaction.Name, action.Kind, action.Target, input.ToJsonString(), alert.Key)
        {
            DetailType = action.DetailType,
            DestinationArn = action.DestinationArn,
            TransitionAt = alert.StateTimestamp,
            DecidedAt = now,
            OutcomeWithin = reaction.OutcomeWithin,
        };
    }

    /// <summary>What a placeholder stands for; a label the alert lacks is empty (as a matcher sees it).</summary>
    public static string Value(string placeholder, Alert alert) => placeholder switch
    {
        "alert.name" => alert.Name,
        "alert.key" => alert.Key,
        "alert.state" => alert.State.Wire(),
        "alert.reason" => alert.Reason ?? string.Empty,
        _ when placeholder.StartsWith(ReactionTemplate.LabelsPrefix, StringComparison.Ordinal) =>
            alert.Labels.TryGetValue(placeholder[ReactionTemplate.LabelsPrefix.Length..], out var v) ? v : string.Empty,
        _ => throw new ArgumentOutOfRangeException(nameof(placeholder), placeholder, "the config reader refuses unknown placeholders"),
    };

    /// <summary>Without a template: the alert's name, key, state and reason, and its labels (values as they are, never read as templates).</summary>
    private static JsonObject Default(Alert alert) => new()
    {
        ["alert"] = new JsonObject { ["name"] = alert.Name, ["key"] = alert.Key, ["state"] = alert.State.Wire(), ["reason"] = alert.Reason ?? string.Empty },
        ["labels"] = new JsonObject(alert.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(l.Value)))),
    };

    private static JsonNode Render(JsonNode node, Alert alert)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is { } child)
                    {
                        obj[key] = Render(child.DeepClone(), alert);
                    }
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item)
                    {
                        array[i] = Render(item.DeepClone(), alert);
                    }
                }

                return array;
            default:
                return node is JsonValue value && value.TryGetValue<string>(out var text)
                    ? JsonValue.Create(ReactionTemplate.Replace(text, n => Value(n, alert)))
                    : node;
        }
    }
}
