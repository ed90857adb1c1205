using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Decisions;

/// <summary>
/// What a decision wants sent, before it is rendered: an action for one alert to one receiver, or the alert's place in
/// a group's digest. Stages decide these; the notifiers render them after the decision, so no stage knows a payload.
/// </summary>
public sealed record Notification(string Action, string Receiver, Alert Alert)
{
    /// <summary>The route it goes out on (its group labels, for a digest).</summary>
    public MatchedRoute? Route { get; init; }

    /// <summary>Set for a member of a group's digest: the members of one (route, group, receiver) go out together.</summary>
    public string? GroupKey { get; init; }

    /// <summary>For a digest member: what it is in the group's update (trigger, repeat or resolve); a group of one sends that.</summary>
    public string Member { get; init; } = DeliveryActions.Trigger;

    /// <summary>Set when the alert backs an SLO and the receiver keeps incidents: the SLO incident's dedup_key it pages under.</summary>
    public string? IncidentKey { get; init; }

    /// <summary>A DLQ notice: the running count it reports.</summary>
    public DlqTally? Tally { get; init; }

    /// <summary>Sent to the drill receiver for a replayed event.</summary>
    public bool Drill { get; init; }

    /// <summary>The first notification of its episode: the flood guard counts it and never holds it.</summary>
    public bool Essential { get; init; }

    /// <summary>One notification per route, of one action, to each distinct receiver (two routes naming one receiver still send once).</summary>
    public static List<Notification> ToRoutes(Alert alert, string action, IEnumerable<MatchedRoute> routes) =>
        [.. DistinctReceivers(routes).Select(r => new Notification(action, r.Receiver, alert) { Route = r })];

    /// <summary>Two routes that name one receiver still make one notification: singular alerts.</summary>
    public static IEnumerable<MatchedRoute> DistinctReceivers(IEnumerable<MatchedRoute> routes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return routes.Where(r => seen.Add(r.Receiver));
    }

    /// <summary>`trigger to team, resolve to email`, or `nothing`.</summary>
    public static string Describe(IReadOnlyList<Notification> notifications) =>
        notifications.Count == 0 ? "nothing" : string.Join(", ", notifications.Select(n => $"{n.Action} to {n.Receiver}"));

    /// <summary>`team, email`: who gets them.</summary>
    public static string Receivers(IReadOnlyList<Notification> notifications) => string.Join(", ", notifications.Select(n => n.Receiver));
}
