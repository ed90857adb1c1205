using System.Globalization;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Decisions;

/// <summary>One rule of a stage at event time: a decision ends the pipeline, null hands the event to the next rule.</summary>
public delegate Decision? EventRule(EventStep step);

/// <summary>One rule of a stage at tick time, for one due alert: a plan ends the alert's tick, null asks the next rule.</summary>
public delegate TickPlan? TickRule(TickStep step);

/// <summary>One stage's contribution to when the Tick next needs an alert (the earliest of all is stored as its due time).</summary>
public delegate DateTimeOffset? DueRule(AlertState state, IReadOnlyList<MatchedRoute> routes);

/// <summary>
/// What the rules of one event decision share: the event's alert, what was stored, the silences and sources, and the
/// state and path being built. <see cref="Next"/> and <see cref="Routes"/> are set once the event is admitted
/// (not a duplicate, not out of order).
/// </summary>
public sealed class EventStep(Alert alert, AlertState? stored, DecisionContext context, DateTimeOffset now, string? alertJson)
{
    public Alert Alert { get; } = alert;

    public AlertState? Stored { get; } = stored;

    public DecisionContext Context { get; } = context;

    public DateTimeOffset Now { get; } = now;

    public string? AlertJson { get; } = alertJson;

    public List<string> Path { get; } = [$"alert {alert.Name} {alert.State.Wire()} at {DecisionText.Format(alert.StateTimestamp)} (key {alert.Key})"];

    /// <summary>The state this event moves the alert to, as the rules so far have built it.</summary>
    public AlertState Next { get; set; } = null!;

    public IReadOnlyList<MatchedRoute> Routes { get; set; } = [];

    /// <summary>Whether this event changes firing ⇄ resolved (INSUFFICIENT_DATA changes nothing).</summary>
    public bool Changed { get; set; }

    /// <summary>Ends the decision: records its kind and reason on the state to write (null: write nothing).</summary>
    public Decision Done(string kind, string reason, AlertState? next, IReadOnlyList<Notification> notifications)
    {
        Path.Add(reason);
        return new Decision(kind, reason, next is null ? null : next with { LastDecision = kind, LastReason = reason }, notifications) { Path = Path };
    }
}

/// <summary>One due alert as the Tick sees it.</summary>
public sealed record TickStep(AlertState State, Alert Alert, IReadOnlyList<MatchedRoute> Routes, DecisionContext Context, DateTimeOffset Now);

/// <summary>What the Tick does for one alert: the state to write, what to send if the write wins, and why (null: unchanged).</summary>
public sealed record TickPlan(AlertState After, IReadOnlyList<Notification> Notifications, string? Reason)
{
    /// <summary>Nothing to do for this alert now.</summary>
    public static TickPlan Unchanged(AlertState state) => new(state, [], null);
}

/// <summary>The settings every stage reads: the config and its routing tree.</summary>
public sealed record StageSettings(PipelineConfig Config, RouteTree Routes)
{
    /// <summary>How often a repeat goes out for an alert on these routes: the shortest repeatInterval among them.</summary>
    public TimeSpan RepeatInterval(IReadOnlyList<MatchedRoute> routes) =>
        routes.Count == 0 ? Config.Defaults.RepeatInterval : routes.Min(r => r.RepeatInterval);

    /// <summary>Whether the receiver keeps one incident per alert (PagerDuty), which a notice must update, never reopen.</summary>
    public bool KeepsIncidents(string receiver) => Config.FindReceiver(receiver)?.KeepsIncidents == true;
}

/// <summary>How decisions print times and durations in reasons.</summary>
public static class DecisionText
{
    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan t) => ConfigDuration.Format(t);
}

/// <summary>What the Tick has planned so far for one alert: the state to write and what to send if the write wins.</summary>
public sealed record PlannedChange(AlertState After, Alert Alert, List<Notification> Notifications, IReadOnlyList<MatchedRoute> Routes);
