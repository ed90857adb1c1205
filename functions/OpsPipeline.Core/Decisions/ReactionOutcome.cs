using System.Globalization;

namespace OpsPipeline.Core.Decisions;

/// <summary>
/// A reaction run as the state machine recorded it, right after it started it or failed to (its RUN# item): what the
/// Tick needs to learn how it ended and to tell the alert's receivers once.
/// </summary>
public sealed record ReactionRunRecord
{
    /// <summary>The run's execution name (the delivery's dedup key): its identity in the table and in every report.</summary>
    public required string Execution { get; init; }

    public required string Reaction { get; init; }

    /// <summary>The kind as written in the config (lambda, stepFunctions, ssmAutomation, eventBridge, sqsRedrive).</summary>
    public required string Kind { get; init; }

    public required string AlertKey { get; init; }

    /// <summary>What the state machine saw: <see cref="ReactionRecorded.Started"/>, succeeded, failed or not started.</summary>
    public required string Recorded { get; init; }

    /// <summary>What the service returned to follow the run: an execution ARN, an automation execution id, a move task's handle.</summary>
    public string? Handle { get; init; }

    /// <summary>The target (a queue's ARN for a move task: its status is listed by source queue).</summary>
    public string? Target { get; init; }

    /// <summary>The task's error name and cause when it failed or did not start.</summary>
    public string? Error { get; init; }

    public string? Cause { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Past this, a run still going is reported as timed out.</summary>
    public required DateTimeOffset ReportBy { get; init; }
}

/// <summary>What the state machine records of a run (a reaction task's result, or its catch).</summary>
public static class ReactionRecorded
{
    /// <summary>Started; its outcome comes later (a status event, or the Tick asking the service).</summary>
    public const string Started = "started";

    /// <summary>Finished within the task: a lambda reaction answered, an event was put.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>Started and failed within the task (a lambda reaction's error, or no answer in time).</summary>
    public const string Failed = "failed";

    /// <summary>Never started: every retry failed; the delivery is parked in the failed-delivery queue too.</summary>
    public const string NotStarted = "not started";
}

/// <summary>How a run ended, as its receivers are told.</summary>
public enum ReactionResult
{
    Succeeded,
    Failed,
    TimedOut,
}

/// <summary>How a run ended and what the service said about it (a failure's error; a move task's count).</summary>
public sealed record ReactionOutcome(ReactionResult Result, string? Detail = null)
{
    /// <summary>What a run recorded as finished by the state machine ended with; null for one still going.</summary>
    public static ReactionOutcome? Recorded(ReactionRunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Recorded switch
        {
            ReactionRecorded.Succeeded => new ReactionOutcome(ReactionResult.Succeeded),
            ReactionRecorded.Failed when run.Error == "States.Timeout" => new ReactionOutcome(ReactionResult.TimedOut, run.Kind == "lambda"
                ? string.Create(CultureInfo.InvariantCulture, $"no answer within {Configuration.ReactionConfig.LambdaAnswerSeconds} s")
                : "the execution timed out"),
            ReactionRecorded.Failed => new ReactionOutcome(ReactionResult.Failed, ErrorText(run.Error, run.Cause)),
            ReactionRecorded.NotStarted => new ReactionOutcome(ReactionResult.Failed,
                $"it did not start ({ErrorText(run.Error, run.Cause)}); the request is parked in the failed-delivery queue (opsctl failed)"),
            _ => null,
        };
    }

    /// <summary>A run still going past its deadline.</summary>
    public static ReactionOutcome TimedOut(ReactionRunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new ReactionOutcome(ReactionResult.TimedOut, $"no outcome by {DecisionText.Format(run.ReportBy)}");
    }

    /// <summary>The wire word of the result: succeeded, failed, timed out.</summary>
    public string Word => Result switch
    {
        ReactionResult.Succeeded => "succeeded",
        ReactionResult.Failed => "failed",
        _ => "timed out",
    };

    /// <summary>A service's cause, at most 300 characters (the sentence that carries it is bounded again by its channel).</summary>
    private static string Bounded(string cause) => cause.Length <= 300 ? cause : cause[..299] + "…";

    private static string ErrorText(string? error, string? cause) =>
        (error, cause) switch
        {
            (null or "", null or "") => "no reason given",
            (_, null or "") => error!,
            (null or "", _) => Bounded(cause!),
            _ => $"{error}: {Bounded(cause!)}",
        };
}
