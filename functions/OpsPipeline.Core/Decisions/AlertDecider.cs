using System.Globalization;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Routing;
using OpsPipeline.Core.Silences;

namespace OpsPipeline.Core.Decisions;

/// <summary>
/// The pure decision for one alert event: duplicate, stale, flapping, suppressed (silence or inhibition),
/// grouped, or notified now — and to whom. No I/O: the caller reads the state (and the context), calls this,
/// and writes <see cref="Decision.NewState"/> with a conditional write on <see cref="AlertState.Version"/>.
/// Time-based follow-ups (group flush, repeat, end of flapping, end of suppression) are the Tick's:
/// every state says when it next needs one in <see cref="AlertState.DueAt"/>.
/// </summary>
public sealed class AlertDecider
{
    /// <summary>State items are garbage-collected this long after their last change (TTL is GC only).</summary>
    public static readonly TimeSpan StateRetention = TimeSpan.FromDays(90);

    /// <summary>An inhibited alert is re-checked this often, so it is notified soon after its source resolves.</summary>
    public static readonly TimeSpan InhibitionRecheck = TimeSpan.FromMinutes(1);

    public AlertDecider(PipelineConfig config, RouteTree routes)
    {
        Config = config;
        Routes = routes;
        MaxGroupWait = routes.All.Select(r => r.GroupWait).DefaultIfEmpty(TimeSpan.Zero).Max();
    }

    public PipelineConfig Config { get; }

    public RouteTree Routes { get; }

    /// <summary>The longest groupWait of any route: how far ahead the Tick must look for members of a due group.</summary>
    public TimeSpan MaxGroupWait { get; }

    /// <summary>Whether deciding on these labels needs the firing inhibition sources (it is an inhibit target).</summary>
    public bool NeedsSources(IReadOnlyDictionary<string, string> labels) => Config.Inhibit.Any(r => r.TargetMatch.Matches(labels));

    /// <summary>Whether an alert with these labels is an inhibition source.</summary>
    public bool IsSource(IReadOnlyDictionary<string, string> labels) => Config.Inhibit.Any(r => r.SourceMatch.Matches(labels));

    /// <summary>
    /// Decides one event. A replayed event (drill) is decided exactly as production would decide it — against the
    /// drill's own state, which the caller keeps apart per replay name — and then sent only to the drill receiver;
    /// <see cref="Decision.WouldSend"/> keeps what production would have sent, for the drill report.
    /// </summary>
    public Decision Decide(Alert alert, AlertState? stored, DecisionContext context, DateTimeOffset now, string? alertJson = null)
    {
        var decision = DecideProduction(alert, stored, context, now, alertJson);
        return alert.ReplayName is null ? decision : AsDrill(alert, decision);
    }

    private Decision DecideProduction(Alert alert, AlertState? stored, DecisionContext context, DateTimeOffset now, string? alertJson)
    {
        var path = new List<string> { $"alert {alert.Name} {alert.State} at {Format(alert.StateTimestamp)} (key {alert.Key})" };
        if (alert.Source == "dlq")
        {
            return DecideDlq(alert, stored, context, now, alertJson, path);
        }


        if (stored is not null && stored.RecentEventIds.Contains(alert.EventId, StringComparer.Ordinal))
        {
            return Done(DecisionKinds.Duplicate, $"duplicate: event {alert.EventId} was already applied", null, [], path);
        }

        if (stored is not null && alert.StateTimestamp < stored.StateTimestamp)
        {
            var reason = $"stale: {alert.State} at {Format(alert.StateTimestamp)} is older than stored {stored.State} at {Format(stored.StateTimestamp)}";
            return Done(DecisionKinds.Stale, reason, Remember(stored, alert, now, DecisionKinds.Stale, reason), [], path);
        }

        if (stored is not null && alert.StateTimestamp == stored.StateTimestamp && alert.State == stored.State)
        {
            var reason = $"recorded: transition to {alert.State} at {Format(alert.StateTimestamp)} was already applied (different event id)";
            return Done(DecisionKinds.Recorded, reason, Remember(stored, alert, now, DecisionKinds.Recorded, reason), [], path);
        }

        // A flapping "change" is firing <-> resolved; INSUFFICIENT_DATA neither starts nor counts one, and a
        // first-seen ALARM is a change from the OK it left.
        var lastKnown = stored?.LastKnownStatus ?? AlertStatus.Resolved;
        var changed = alert.Status != AlertStatus.Unknown && alert.Status != lastKnown;
        var window = Config.Defaults.Flapping.Window;
        var changes = (stored?.Changes ?? []).Where(t => t > alert.StateTimestamp - window).ToList();
        if (changed)
        {
            changes.Add(alert.StateTimestamp);
        }

        path.Add($"{changes.Count} state change(s) within {Duration(window)}");
        var next = NextState(alert, stored, now, alertJson) with
        {
            Changes = changes,
            Flapping = stored?.Flapping ?? false,
            LastNotifiedAt = stored?.LastNotifiedAt,
            Suppressed = stored?.Suppressed,
            Pending = stored?.Pending ?? [],
            LastKnownStatus = alert.Status == AlertStatus.Unknown ? stored?.LastKnownStatus : alert.Status,
        };
        var sourceUpdate = SourceUpdateFor(alert, stored);
        var routes = Routes.Match(alert.Labels);
        path.Add("routes: " + string.Join(", ", routes.Select(r => $"{r.Id}→{r.Receiver}")));

        Decision decision;
        if (next.Flapping)
        {
            var reason = $"flapping: quiet until stable for {Duration(window)} (since the last change at {Format(alert.StateTimestamp)})";
            decision = Done(DecisionKinds.Flapping, reason, next, [], path);
        }
        else if (changed && changes.Count >= Config.Defaults.Flapping.Changes && alert.Status == AlertStatus.Firing && Suppression(alert, context, now) is { } muted)
        {
            // Flapping under a silence or an inhibition: remember it, send nothing.
            var reason = $"flapping ({changes.Count} state changes within {Duration(window)}) while {muted.Reason}; nothing sent";
            decision = Done(DecisionKinds.Flapping, reason, next with { Flapping = true, Pending = [] }, [], path);
        }
        else if (changed && changes.Count >= Config.Defaults.Flapping.Changes)
        {
            next = next with { Flapping = true, Pending = [], Suppressed = null, LastNotifiedAt = now, NotifiedStatus = AlertStatus.Firing };
            var deliveries = Render(alert, DeliveryActions.Flapping, routes);
            var reason = $"notify: flapping ({changes.Count} state changes within {Duration(window)}) to {Receivers(deliveries)}; quiet until stable for {Duration(window)}";
            decision = Done(DecisionKinds.Notify, reason, next, deliveries, path);
        }
        else
        {
            decision = alert.Status switch
            {
                AlertStatus.Firing => DecideFiring(alert, next, routes, context, now, path),
                AlertStatus.Resolved => DecideResolved(alert, next, routes, path),
                _ => Done(DecisionKinds.Recorded, $"recorded: {alert.State} is neither firing nor resolved", next, [], path),
            };
        }

        return decision with
        {
            NewState = decision.NewState is { } s ? WithDueAt(s, routes) : null,
            SourceUpdate = sourceUpdate,
        };
    }

    private Decision DecideFiring(Alert alert, AlertState next, IReadOnlyList<MatchedRoute> routes, DecisionContext context, DateTimeOffset now, List<string> path)
    {
        if (next.NotifiedStatus == AlertStatus.Firing && next.Suppressed is null)
        {
            return Done(DecisionKinds.Recorded, $"recorded: {alert.Name} is already notified as firing", next, [], path);
        }

        if (Suppression(alert, context, now) is { } suppression)
        {
            return Done(DecisionKinds.Suppressed, suppression.Reason, next with { Suppressed = suppression.Reason, DueAt = suppression.RecheckAt }, [], path);
        }

        return Notify(alert, next with { Suppressed = null }, routes, now, path);
    }

    /// <summary>Sends a trigger on routes without a group wait and holds it on routes with one.</summary>
    private Decision Notify(Alert alert, AlertState next, IReadOnlyList<MatchedRoute> routes, DateTimeOffset now, List<string> path)
    {
        var now_ = new List<MatchedRoute>();
        var pending = new List<PendingNotification>(next.Pending);
        foreach (var route in DistinctReceivers(routes))
        {
            if (route.GroupWait > TimeSpan.Zero)
            {
                pending.RemoveAll(p => p.RouteId == route.Id);
                pending.Add(new PendingNotification(route.Id, RouteTree.GroupKey(route, alert.Labels), route.Receiver, now + route.GroupWait));
                path.Add($"route {route.Id}: held for group {RouteTree.GroupKey(route, alert.Labels)} until {Format(now + route.GroupWait)}");
            }
            else
            {
                now_.Add(route);
            }
        }

        var deliveries = Render(alert, DeliveryActions.Trigger, now_);
        next = next with
        {
            NotifiedStatus = deliveries.Count > 0 || pending.Count > 0 ? AlertStatus.Firing : next.NotifiedStatus,
            Pending = pending,
            LastNotifiedAt = deliveries.Count > 0 ? now : next.LastNotifiedAt,
        };
        if (deliveries.Count > 0)
        {
            return Done(DecisionKinds.Notify, $"notify: trigger to {Receivers(deliveries)}", next, deliveries, path);
        }

        return pending.Count > 0
            ? Done(DecisionKinds.Grouped, $"grouped: held for {string.Join(", ", pending.Select(p => p.Receiver))} until {Format(pending.Min(p => p.DueAt))}", next, [], path)
            : Done(DecisionKinds.Recorded, $"recorded: no route matched a receiver for {alert.Name}", next, [], path);
    }

    private Decision DecideResolved(Alert alert, AlertState next, IReadOnlyList<MatchedRoute> routes, List<string> path)
    {
        if (next.NotifiedStatus != AlertStatus.Firing)
        {
            var why = next.Suppressed is not null ? $"recorded: {alert.Name} resolved while suppressed; it was never sent" : $"recorded: {alert.Name} is {alert.State} and was not notified as firing";
            return Done(DecisionKinds.Recorded, why, next with { Suppressed = null, Pending = [] }, [], path);
        }

        // A trigger still held for a group was never sent: drop it rather than resolve what no one saw.
        var held = next.Pending.Select(p => p.RouteId).ToHashSet(StringComparer.Ordinal);
        next = next with { Pending = [], Suppressed = null, NotifiedStatus = AlertStatus.Resolved };
        if (!Config.Defaults.SendResolved)
        {
            return Done(DecisionKinds.Recorded, "recorded: resolved (sendResolved is off)", next, [], path);
        }

        var deliveries = Render(alert, DeliveryActions.Resolve, [.. DistinctReceivers(routes).Where(r => !held.Contains(r.Id))]);
        return deliveries.Count > 0
            ? Done(DecisionKinds.Notify, $"notify: resolve to {Receivers(deliveries)}", next, deliveries, path)
            : Done(DecisionKinds.Recorded, $"recorded: {alert.Name} resolved within its group wait; nothing had been sent", next, [], path);
    }

    /// <summary>How often a DLQ alert that keeps receiving messages is re-notified, as one count (the group wait, at least a minute).</summary>
    public TimeSpan DlqDigestInterval => Config.Defaults.GroupWait > TimeSpan.FromMinutes(1) ? Config.Defaults.GroupWait : TimeSpan.FromMinutes(1);

    /// <summary>The receiver of DLQ alerts: dlq.receiver, else the root route's.</summary>
    public string DlqReceiver => Config.Dlq?.Receiver ?? Routes.Root.Receiver;

    /// <summary>
    /// A dead-lettered message counts toward its group's alert: the first one notifies at once, later ones wait for
    /// the Tick's digest (one notice with the running count), so a flood of one failure is one or two notices.
    /// </summary>
    private Decision DecideDlq(Alert alert, AlertState? stored, DecisionContext context, DateTimeOffset now, string? alertJson, List<string> path)
    {
        if (stored is not null && stored.RecentEventIds.Contains(alert.EventId, StringComparer.Ordinal))
        {
            return Done(DecisionKinds.Duplicate, $"duplicate: event {alert.EventId} was already applied", null, [], path);
        }

        var seen = alert.StateTimestamp;
        var tally = stored?.Dlq is { } t
            ? new DlqTally(t.Count + 1, seen < t.FirstSeen ? seen : t.FirstSeen, seen > t.LastSeen ? seen : t.LastSeen, t.Unreported + 1)
            : new DlqTally(1, seen, seen, 1);
        var next = NextState(alert, stored, now, alertJson) with
        {
            StateTimestamp = seen > (stored?.StateTimestamp ?? seen) ? seen : stored?.StateTimestamp ?? seen,
            LastNotifiedAt = stored?.LastNotifiedAt,
            Dlq = tally,
        };
        if (Suppression(alert, context, now) is { } muted)
        {
            return Done(DecisionKinds.Suppressed, muted.Reason, next with { Suppressed = muted.Reason, DueAt = muted.RecheckAt }, [], path);
        }

        if (next.LastNotifiedAt is null)
        {
            var delivery = RenderDlq(alert, tally, DlqReceiver);
            next = next with { NotifiedStatus = AlertStatus.Firing, LastNotifiedAt = now, Dlq = tally with { Unreported = 0 }, Suppressed = null };
            return Done(DecisionKinds.Notify, $"notify: dlq to {DlqReceiver} (first message of {alert.Name})", next, [delivery], path);
        }

        var due = next.LastNotifiedAt.Value + DlqDigestInterval;
        return Done(DecisionKinds.Grouped, $"grouped: {tally.Count} message(s) in {alert.Name}, {tally.Unreported} since the last notice; digest at {Format(due > now ? due : now)}", next with { DueAt = due > now ? due : now }, [], path);
    }

    /// <summary>A DLQ notice states the running count; the alert as normalized describes the latest message.</summary>
    internal Delivery RenderDlq(Alert alert, DlqTally tally, string receiverName)
    {
        var receiver = Config.FindReceiver(receiverName) ?? throw new InvalidOperationException($"dlq receiver {receiverName} is not configured");
        var counted = alert with
        {
            Summary = tally.Count == 1
                ? alert.Summary
                : $"{alert.Name}: {tally.Count} messages dead-lettered since {Format(tally.FirstSeen)} ({tally.Unreported} new, last {Format(tally.LastSeen)}); latest: {alert.Summary}",
        };
        return DeliveryRenderer.Render(counted, DeliveryActions.Dlq, receiver, drill: false);
    }

    /// <summary>Replayed events go only to the drill receiver, marked as drills; real pages, sources and budgets are untouched.</summary>
    private Decision AsDrill(Alert alert, Decision production)
    {
        var receiver = Config.DrillReceiver is { } name ? Config.FindReceiver(name) : null;
        var drills = receiver is null
            ? []
            : production.Deliveries.Select(d => d.Action).Distinct(StringComparer.Ordinal)
                .Select(action => DeliveryRenderer.Render(alert, action, receiver, drill: true))
                .ToList();
        var path = production.Path.Append($"drill {alert.ReplayName}: production would send {Describe(production.Deliveries)}; sent {Describe(drills)}").ToList();
        return production with { Deliveries = drills, WouldSend = production.Deliveries, SourceUpdate = null, Path = path };
    }

    private static string Describe(IReadOnlyList<Delivery> deliveries) =>
        deliveries.Count == 0 ? "nothing" : string.Join(", ", deliveries.Select(d => $"{d.Action} to {d.Receiver}"));

    /// <summary>The first active silence or firing inhibition source that mutes this alert, with an operator-readable reason.</summary>
    public (string Reason, DateTimeOffset RecheckAt)? Suppression(Alert alert, DecisionContext context, DateTimeOffset now)
    {
        if (Silence.FirstMuting(context.Silences, alert.Labels, now) is { } silence)
        {
            return ($"suppressed: {silence.Reason}", silence.EndsAt);
        }

        foreach (var rule in Config.Inhibit)
        {
            // An alert never inhibits itself (Alertmanager: a source that is also a target is not muted by itself).
            if (!rule.TargetMatch.Matches(alert.Labels))
            {
                continue;
            }

            foreach (var source in context.Sources)
            {
                if (source.AlertKey != alert.Key && rule.SourceMatch.Matches(source.Labels) && rule.Equal.All(l => Value(source.Labels, l) == Value(alert.Labels, l)))
                {
                    return ($"suppressed: inhibited by {source.Name}", now + InhibitionRecheck);
                }
            }
        }

        return null;
    }

    private SourceUpdate? SourceUpdateFor(Alert alert, AlertState? stored)
    {
        if (!IsSource(alert.Labels))
        {
            return null;
        }

        // Every transition of a source, not only the ones that change the stored state: a source update written before
        // a commit that then failed must be corrected by the next transition, which the stored state cannot tell.
        // The update is ordered by the transition's time, so writing it again changes nothing.
        return new SourceUpdate(new InhibitionSource(alert.Key, alert.Name, alert.Labels), alert.Status == AlertStatus.Firing, alert.StateTimestamp);
    }

    /// <summary>When the Tick next needs this alert: group flush, end of flapping, suppression re-check, or repeat.</summary>
    public AlertState WithDueAt(AlertState s, IReadOnlyList<MatchedRoute> routes)
    {
        if (s.Dlq is { } tally)
        {
            // DLQ alerts need the Tick only for a pending digest (or a suppression to re-check); no repeats.
            return s with { DueAt = s.Suppressed is not null ? s.DueAt : tally.Unreported > 0 ? s.DueAt ?? (s.LastNotifiedAt ?? s.UpdatedAt) + DlqDigestInterval : null };
        }

        DateTimeOffset? due = null;
        void Consider(DateTimeOffset t) => due = due is null || t < due ? t : due;
        foreach (var p in s.Pending)
        {
            Consider(p.DueAt);
        }

        if (s.Flapping)
        {
            Consider((s.Changes.Count > 0 ? s.Changes[^1] : s.StateTimestamp) + Config.Defaults.Flapping.Window);
        }
        else if (s.State == "ALARM" && s.Suppressed is not null)
        {
            Consider(s.DueAt is { } d && d > s.UpdatedAt ? d : s.UpdatedAt + InhibitionRecheck);
        }
        else if (s.State == "ALARM" && s.NotifiedStatus == AlertStatus.Firing && s.LastNotifiedAt is { } last && s.Pending.Count == 0)
        {
            Consider(last + RepeatInterval(routes));
        }

        return s with { DueAt = due };
    }

    internal TimeSpan RepeatInterval(IReadOnlyList<MatchedRoute> routes) =>
        routes.Count == 0 ? Config.Defaults.RepeatInterval : routes.Min(r => r.RepeatInterval);

    internal List<Delivery> Render(Alert alert, string action, IEnumerable<MatchedRoute> routes)
    {
        var deliveries = new List<Delivery>();
        foreach (var route in DistinctReceivers(routes))
        {
            var receiver = Config.FindReceiver(route.Receiver)
                ?? throw new InvalidOperationException($"route {route.Id} names unknown receiver {route.Receiver}");
            deliveries.Add(DeliveryRenderer.Render(alert, action, receiver, drill: false));
        }

        return deliveries;
    }

    /// <summary>Two routes that name one receiver still make one notification: singular alerts.</summary>
    internal static IEnumerable<MatchedRoute> DistinctReceivers(IEnumerable<MatchedRoute> routes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return routes.Where(r => seen.Add(r.Receiver));
    }

    private static Decision Done(string kind, string reason, AlertState? next, IReadOnlyList<Delivery> deliveries, List<string> path)
    {
        path.Add(reason);
        return new Decision(kind, reason, next is null ? null : next with { LastDecision = kind, LastReason = reason }, deliveries) { Path = path };
    }

    /// <summary>The stored state moved on by this event: its state and id, the next version; everything else as stored.</summary>
    private static AlertState NextState(Alert alert, AlertState? stored, DateTimeOffset now, string? alertJson) => new()
    {
        Key = alert.Key,
        State = alert.State,
        StateTimestamp = alert.StateTimestamp,
        NotifiedStatus = stored?.NotifiedStatus,
        RecentEventIds = AppendId(stored?.RecentEventIds ?? [], alert.EventId),
        LastDecision = string.Empty,
        LastReason = string.Empty,
        AlertJson = alertJson ?? stored?.AlertJson,
        Version = (stored?.Version ?? 0) + 1,
        UpdatedAt = now,
    };

    private static AlertState Remember(AlertState stored, Alert alert, DateTimeOffset now, string kind, string reason) => stored with
    {
        RecentEventIds = AppendId(stored.RecentEventIds, alert.EventId),
        Version = stored.Version + 1,
        UpdatedAt = now,
        LastDecision = kind,
        LastReason = reason,
    };

    private static List<string> AppendId(IReadOnlyList<string> ids, string id)
    {
        var list = new List<string>(ids.Count + 1);
        list.AddRange(ids.Count >= AlertState.RememberedEventIds ? ids.Skip(ids.Count - AlertState.RememberedEventIds + 1) : ids);
        list.Add(id);
        return list;
    }

    private static string Value(IReadOnlyDictionary<string, string> labels, string name) => labels.TryGetValue(name, out var v) ? v : string.Empty;

    private static string Receivers(IReadOnlyList<Delivery> deliveries) => string.Join(", ", deliveries.Select(d => d.Receiver));

    internal static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string Duration(TimeSpan t) => ConfigDuration.Format(t);
}
