using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace OpsPipeline.Core.Configuration;

/// <summary>Which transition a reaction runs on.</summary>
public enum ReactionOn
{
    /// <summary>The alert starts firing (a new episode).</summary>
    Firing,

    /// <summary>The alert resolves after firing.</summary>
    Resolved,
}

/// <summary>What a reaction starts, each a Step Functions integration; written as its config key (and its output line's channel).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReactionKind>))]
public enum ReactionKind
{
    [JsonStringEnumMemberName("lambda")]
    Lambda,

    [JsonStringEnumMemberName("stepFunctions")]
    StepFunctions,

    [JsonStringEnumMemberName("ssmAutomation")]
    SsmAutomation,

    [JsonStringEnumMemberName("eventBridge")]
    EventBridge,

    [JsonStringEnumMemberName("sqsRedrive")]
    SqsRedrive,
}

/// <summary>The config keys of the reaction kinds.</summary>
public static class ReactionKinds
{
    public static string Wire(this ReactionKind kind) => kind switch
    {
        ReactionKind.Lambda => "lambda",
        ReactionKind.StepFunctions => "stepFunctions",
        ReactionKind.SsmAutomation => "ssmAutomation",
        ReactionKind.EventBridge => "eventBridge",
        _ => "sqsRedrive",
    };
}

/// <summary>
/// What a reaction starts: its kind and target (a function, state machine, document, bus or source queue ARN), plus
/// what its kind needs besides: SSM parameters (templates), an EventBridge detail type, a redrive's destination.
/// </summary>
public sealed record ReactionAction(ReactionKind Kind, string Target)
{
    /// <summary>ssmAutomation: the document's parameters; each value is a template like the input's strings.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>eventBridge: the event's detail-type.</summary>
    public string? DetailType { get; init; }

    /// <summary>sqsRedrive: where the messages go (null: back to the queue they were dead-lettered from).</summary>
    public string? DestinationArn { get; init; }
}

/// <summary>
/// One automatic reaction (<c>reactions:</c>): when an alert matching <see cref="Match"/> makes the transition
/// <see cref="On"/>, start <see cref="Action"/> with the rendered <see cref="InputTemplate"/>; once per episode, not
/// within <see cref="Cooldown"/> for the same alert, at most <see cref="MaxPerHour"/> across alerts, never for a
/// muted or flapping alert unless <see cref="EvenWhenMuted"/>, never in a drill.
/// </summary>
public sealed record ReactionConfig
{
    public const int MaxPerHourLimit = 1000;

    public required string Name { get; init; }

    public LabelMatchers Match { get; init; } = LabelMatchers.Empty;

    public ReactionOn On { get; init; } = ReactionOn.Firing;

    public required ReactionAction Action { get; init; }

    /// <summary>A JSON object whose string values may hold <see cref="ReactionTemplate"/> placeholders; null: the default input.</summary>
    public string? InputTemplate { get; init; }

    public TimeSpan Cooldown { get; init; } = TimeSpan.FromMinutes(30);

    public int MaxPerHour { get; init; } = 10;

    public bool EvenWhenMuted { get; init; }

    /// <summary>
    /// How long the pipeline waits to learn how a started run ended (default 1h): past it, the alert's receivers are
    /// told it timed out. A lambda reaction answers within its invocation (at most <see cref="LambdaAnswerSeconds"/>).
    /// </summary>
    public TimeSpan OutcomeWithin { get; init; } = DefaultOutcomeWithin;

    public static readonly TimeSpan DefaultOutcomeWithin = TimeSpan.FromHours(1);

    /// <summary>The longest <see cref="OutcomeWithin"/>: the run's record is kept a day past it.</summary>
    public static readonly TimeSpan MaxOutcomeWithin = TimeSpan.FromDays(7);

    /// <summary>How long the state machine waits for a lambda reaction's answer (its task's TimeoutSeconds).</summary>
    public const int LambdaAnswerSeconds = 60;
}

/// <summary>The placeholders a reaction's input may use: <c>{{alert.name}}</c>, <c>{{alert.key}}</c>, <c>{{alert.state}}</c>, <c>{{alert.reason}}</c>, <c>{{labels.X}}</c>.</summary>
public static partial class ReactionTemplate
{
    public static readonly IReadOnlyList<string> AlertFields = ["alert.name", "alert.key", "alert.state", "alert.reason"];

    public const string LabelsPrefix = "labels.";

    /// <summary>The placeholder names in <paramref name="text"/>, trimmed, in order.</summary>
    public static IEnumerable<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value.Trim());

    /// <summary>Whether a placeholder name is one the renderer knows.</summary>
    public static bool IsKnown(string name) =>
        AlertFields.Contains(name, StringComparer.Ordinal) || (name.StartsWith(LabelsPrefix, StringComparison.Ordinal) && name.Length > LabelsPrefix.Length);

    /// <summary>Replaces every placeholder with <paramref name="value"/>'s answer.</summary>
    public static string Replace(string text, Func<string, string> value) =>
        text.Contains("{{", StringComparison.Ordinal) ? Placeholder().Replace(text, m => value(m.Groups[1].Value.Trim())) : text;

    [GeneratedRegex(@"\{\{([^{}]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
