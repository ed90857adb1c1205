using System.Text.Json.Serialization;

namespace OpsPipeline.Core.Events;

/// <summary>The status-change events Step Functions puts on the default bus for standard workflows' executions.</summary>
public static class StepFunctionsEventTypes
{
    public const string Source = "aws.states";

    public const string ExecutionStatusChange = "Step Functions Execution Status Change";
}

/// <summary>The detail of "Step Functions Execution Status Change", as AWS spells it (the fields a reaction's outcome needs).</summary>
public sealed record ExecutionStatusDetail
{
    [JsonPropertyName("executionArn")]
    public string? ExecutionArn { get; init; }

    [JsonPropertyName("stateMachineArn")]
    public string? StateMachineArn { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED (and PENDING_REDRIVE).</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("cause")]
    public string? Cause { get; init; }
}

/// <summary>A state machine execution changed status: for the pipeline, how a stepFunctions reaction it started ended.</summary>
public sealed record ExecutionStatusChangeEvent : ParsedEvent
{
    public required ExecutionStatusDetail Detail { get; init; }

    /// <summary>The execution's name: the run's identity (the reaction's execution name).</summary>
    public required string Name { get; init; }

    public required string Status { get; init; }
}

[JsonSourceGenerationOptions(AllowDuplicateProperties = false)]
[JsonSerializable(typeof(EventBridgeEvent<ExecutionStatusDetail>))]
public sealed partial class ExecutionStatusJsonContext : JsonSerializerContext;
