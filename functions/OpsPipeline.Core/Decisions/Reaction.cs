using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Decisions;

/// <summary>
/// A reaction a decision starts: the config's reaction by name, what it starts (kind and target), the input rendered
/// for this alert (a JSON object), and the run's id (alert key and transition), by which it is counted once.
/// </summary>
public sealed record Reaction(string Name, ReactionKind Kind, string Target, string Input, string AlertKey)
{
    /// <summary>eventBridge: the event's detail-type.</summary>
    public string? DetailType { get; init; }

    /// <summary>sqsRedrive: where the messages go (null: back to their source).</summary>
    public string? DestinationArn { get; init; }

    /// <summary>The alarm's state timestamp of the transition it reacts to: with the alert key, the run's identity.</summary>
    public DateTimeOffset TransitionAt { get; init; }

    /// <summary>When the decision started it: with <see cref="OutcomeWithin"/>, when its receivers are told it timed out.</summary>
    public DateTimeOffset DecidedAt { get; init; }

    /// <summary>How long the pipeline waits for the run's outcome (the reaction's <c>outcomeWithin</c>).</summary>
    public TimeSpan OutcomeWithin { get; init; } = ReactionConfig.DefaultOutcomeWithin;

    /// <summary>One id per alert and transition: a duplicate, a redelivery or a retried decision has the same.</summary>
    public string RunId => $"{AlertKey}@{DecisionText.Format(TransitionAt)}";
}

/// <summary>A reaction that ran for an alert: which, for which transition (the alarm's timestamp), and when.</summary>
public sealed record ReactionRun(string Name, DateTimeOffset TransitionAt, DateTimeOffset RanAt)
{
    /// <summary>How many runs an alert remembers, newest last (enough for each reaction's cooldown and episode).</summary>
    public const int Remembered = 16;
}
