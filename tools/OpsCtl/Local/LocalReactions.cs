using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsCtl.Local.Aws;

namespace OpsCtl.Local;

/// <summary>
/// How a local reaction's run ends: it succeeds, fails with an error (and cause), or never ends (it times out).
/// <see cref="Duplicated"/>: its status-change event is delivered twice, as EventBridge may.
/// </summary>
public sealed record ReactionEnd(string? Error, string? Cause = null, bool Never = false, bool Duplicated = false)
{
    public static readonly ReactionEnd Succeeds = new(Error: null);

    public static ReactionEnd Fails(string error, string cause) => new(error, cause);

    public static readonly ReactionEnd Hangs = new(Error: null, Never: true);
}

/// <summary>One reaction's service call as the state machine made it: what IAM checks, what is recorded, what the service answers.</summary>
public sealed record ReactionCall(string Channel, string IamAction, string Resource, string ErrorPrefix, JsonElement Payload, JsonObject Response);

/// <summary>
/// The local sinks for reactions: the five service integrations a reaction runs through, each checked against the
/// state machine's role (the resource as AWS names it) and recorded as one line, like a delivery. The request carries
/// only what AWS takes; which reaction and alert it was is read from the Decide or Tick output that listed it.
/// </summary>
public sealed class LocalReactions
{
    private readonly ConcurrentDictionary<(string Channel, string Arn), ConcurrentQueue<OutboundRecord>> _listed = new();

    private readonly ConcurrentDictionary<string, ReactionEnd> _ends = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, (string Reaction, string Source)> _runs = new(StringComparer.Ordinal);

    /// <summary>A run the service started: its id or handle, whose status the Tick asks for later.</summary>
    public void Started(ReactionCall call, string reaction)
    {
        var handle = (string?)call.Response["AutomationExecutionId"] ?? (string?)call.Response["TaskHandle"];
        if (handle is not null)
        {
            _runs[handle] = (reaction, call.Resource);
        }
    }

    /// <summary>SSM GetAutomationExecution's answer for a run started here, by its script (unknown id: not found).</summary>
    public JsonObject AutomationExecution(string id)
    {
        var end = _runs.TryGetValue(id, out var run) ? EndOf(run.Reaction) : null;
        var status = end is null ? "Failed" : end.Never ? "InProgress" : end.Error is null ? "Success" : "Failed";
        var execution = new JsonObject { ["AutomationExecutionId"] = id, ["AutomationExecutionStatus"] = status };
        if (end is { Error: { } error })
        {
            execution["FailureMessage"] = end.Cause ?? error;
        }

        return new JsonObject { ["AutomationExecution"] = execution };
    }

    /// <summary>SQS ListMessageMoveTasks's answer for a source queue: its move tasks started here, by their scripts.</summary>
    public JsonObject MoveTasks(string sourceArn)
    {
        var results = new JsonArray();
        foreach (var (handle, run) in _runs.Where(r => r.Value.Source == sourceArn))
        {
            var end = EndOf(run.Reaction);
            var task = new JsonObject
            {
                ["TaskHandle"] = handle,
                ["SourceArn"] = sourceArn,
                ["Status"] = end.Never ? "RUNNING" : end.Error is null ? "COMPLETED" : "FAILED",
                ["ApproximateNumberOfMessagesMoved"] = end.Error is null && !end.Never ? 3 : 0,
            };
            if (end is { Error: { } error })
            {
                task["FailureReason"] = end.Cause ?? error;
            }

            results.Add(task);
        }

        return new JsonObject { ["Results"] = results };
    }

    /// <summary>How runs of <paramref name="reaction"/> end from now on (default: they succeed).</summary>
    public void Script(string reaction, ReactionEnd end) => _ends[reaction] = end;

    /// <summary>How a run of <paramref name="reaction"/> ends.</summary>
    public ReactionEnd EndOf(string reaction) => _ends.GetValueOrDefault(reaction, ReactionEnd.Succeeds);

    /// <summary>The reaction call a task makes, or null when <paramref name="service"/>:<paramref name="action"/> is not one.</summary>
    public static ReactionCall? Call(string service, string action, JsonNode input)
    {
        JsonElement Element(JsonNode? n) => n is null ? JsonSerializer.SerializeToElement(new JsonObject()) : JsonSerializer.SerializeToElement(n);
        JsonElement Parsed(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var text) ? JsonDocument.Parse(text).RootElement.Clone() : Element(n);
        return $"{service}:{action}" switch
        {
            "lambda:invoke" => new ReactionCall("lambda", "lambda:InvokeFunction", (string?)input["FunctionName"] ?? "(no FunctionName)", "Lambda",
                Parsed(input["Payload"]), new JsonObject { ["StatusCode"] = 200, ["ExecutedVersion"] = "$LATEST", ["Payload"] = new JsonObject() }),
            "states:startExecution" => new ReactionCall("stepFunctions", "states:StartExecution", (string?)input["StateMachineArn"] ?? "(no StateMachineArn)", "SFN",
                Parsed(input["Input"]), new JsonObject { ["ExecutionArn"] = $"{(string?)input["StateMachineArn"]}:{(string?)input["Name"]}".Replace(":stateMachine:", ":execution:", StringComparison.Ordinal), ["StartDate"] = 0 }),
            "aws-sdk:ssm:startAutomationExecution" => new ReactionCall("ssmAutomation", "ssm:StartAutomationExecution",
                $"arn:{LocalAccount.Partition}:ssm:{LocalAccount.Region}:{LocalAccount.AccountId}:automation-definition/{(string?)input["DocumentName"]}:$DEFAULT", "Ssm",
                Element(input["Parameters"]), new JsonObject { ["AutomationExecutionId"] = Guid.NewGuid().ToString() }),
            "events:putEvents" => new ReactionCall("eventBridge", "events:PutEvents", (string?)input["Entries"]?[0]?["EventBusName"] ?? "(no EventBusName)", "EventBridge",
                Parsed(input["Entries"]?[0]?["Detail"]), new JsonObject { ["FailedEntryCount"] = 0, ["Entries"] = new JsonArray(new JsonObject { ["EventId"] = Guid.NewGuid().ToString() }) }),
            "aws-sdk:sqs:startMessageMoveTask" => new ReactionCall("sqsRedrive", "sqs:StartMessageMoveTask", (string?)input["SourceArn"] ?? "(no SourceArn)", "Sqs",
                Element(input), new JsonObject { ["TaskHandle"] = Guid.NewGuid().ToString() }),
            _ => null,
        };
    }

    /// <summary>Notes the reactions a Decide or Tick output lists (deliveries whose action is react), in order.</summary>
    public void Note(ReadOnlySpan<byte> output)
    {
        if (output.IndexOf("\"react\""u8) < 0)
        {
            return;
        }

        using var doc = JsonDocument.Parse(output.ToArray());
        if (!doc.RootElement.TryGetProperty("deliveries", out var deliveries) || deliveries.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var d in deliveries.EnumerateArray().Where(d => d.TryGetProperty("action", out var a) && a.GetString() == "react"))
        {
            var channel = d.GetProperty("channel").GetString()!;
            var arn = channel == "ssmAutomation"
                ? $"arn:{LocalAccount.Partition}:ssm:{LocalAccount.Region}:{LocalAccount.AccountId}:automation-definition/{d.GetProperty("target").GetProperty("documentName").GetString()}:$DEFAULT"
                : d.GetProperty("target").GetProperty("arn").GetString()!;
            _listed.GetOrAdd((channel, arn), _ => new ConcurrentQueue<OutboundRecord>()).Enqueue(new OutboundRecord
            {
                Receiver = d.GetProperty("receiver").GetString()!,
                Channel = channel,
                Action = "react",
                AlertKey = d.GetProperty("alertKey").GetString()!,
                DedupKey = d.GetProperty("dedupKey").GetString()!,
                Drill = d.TryGetProperty("drill", out var drill) && drill.GetBoolean(),
                Payload = d.GetProperty("payload").Clone(),
            });
        }
    }

    /// <summary>
    /// The reaction a call is for: the first listed with its kind and target that is not taken yet. A retry of a call
    /// whose first try was refused takes it again (the record is only taken when the call is recorded).
    /// </summary>
    public OutboundRecord Take(ReactionCall call)
    {
        if (_listed.TryGetValue((call.Channel, call.Resource), out var queue) && queue.TryPeek(out var first))
        {
            return first;
        }

        return new OutboundRecord { Receiver = "(unlisted reaction)", Channel = call.Channel, Action = "react", AlertKey = string.Empty, DedupKey = string.Empty, Drill = false, Payload = call.Payload };
    }

    /// <summary>The call was recorded: its listing is used up.</summary>
    public void Taken(ReactionCall call)
    {
        if (_listed.TryGetValue((call.Channel, call.Resource), out var queue))
        {
            queue.TryDequeue(out _);
        }
    }
}
