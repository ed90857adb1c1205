using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Decisions;

/// <summary>What the Tick wants to do for one alert: the state to write and the notifications that depend on that write.</summary>
public sealed record TickChange(AlertState Before, AlertState After, Alert Alert, IReadOnlyList<TickIntent> Intents);

/// <summary>One notification the Tick owes an alert: a single one (action) on a route, or membership of a group's digest.</summary>
public sealed record TickIntent(string Action, MatchedRoute Route, string? GroupKey = null);

/// <summary>
/// The Tick's time-based work, pure: flush due groups as one digest, re-send still-firing alerts every
/// repeatInterval, end flapping after a stable window, notify alerts whose silence expired or whose
/// inhibiting source resolved. Plan first; the caller writes each change conditionally and renders only
/// what was written, so a Tick racing a Decide never sends for state it did not win.
/// </summary>
public sealed class AlertTicker(AlertDecider decider)
{
    /// <summary>How far ahead of now the candidates must reach: members of a due group that are not due themselves.</summary>
    public TimeSpan Lookahead => decider.MaxGroupWait;

    public IReadOnlyList<TickChange> Plan(IReadOnlyList<AlertState> candidates, DecisionContext context, DateTimeOffset now)
    {
        var changes = new Dictionary<string, (AlertState After, Alert Alert, List<TickIntent> Intents, IReadOnlyList<MatchedRoute> Routes)>(StringComparer.Ordinal);
        var before = candidates.ToDictionary(c => c.Key, StringComparer.Ordinal);
        foreach (var state in candidates)
        {
            if (state.AlertJson is null)
            {
                continue;
            }

            var alert = AlertCloudEvent.FromJson(state.AlertJson);
            var routes = decider.Routes.Match(alert.Labels);
            var (after, intents, reason) = PlanOne(state, alert, routes, context, now);
            if (intents.Count > 0 || after != state)
            {
                changes[state.Key] = (after with { LastReason = reason ?? after.LastReason }, alert, intents, routes);
            }
        }

        FlushDueGroups(candidates, changes, context, now);

        return [.. changes.Select(c =>
        {
            var after = decider.WithDueAt(c.Value.After with { Version = before[c.Key].Version + 1, UpdatedAt = now }, c.Value.Routes);
            return new TickChange(before[c.Key], after, c.Value.Alert, c.Value.Intents);
        })];
    }

    private (AlertState After, List<TickIntent> Intents, string? Reason) PlanOne(AlertState s, Alert alert, IReadOnlyList<MatchedRoute> routes, DecisionContext context, DateTimeOffset now)
    {
        var intents = new List<TickIntent>();
        if (s.Dlq is { } tally)
        {
            return PlanDlq(s, alert, tally, context, now);
        }

        var window = decider.Config.Defaults.Flapping.Window;
        var firing = s.State == "ALARM";
        if (s.Flapping)
        {
            var lastChange = s.Changes.Count > 0 ? s.Changes[^1] : s.StateTimestamp;
            if (now < lastChange + window)
            {
                return (s, intents, null);
            }

            // Stable for a whole window: one notification of where it settled.
            var action = firing ? DeliveryActions.Trigger : s.NotifiedStatus == AlertStatus.Firing && s.State == "OK" ? DeliveryActions.Resolve : null;
            intents.AddRange(action is null ? [] : AlertDecider.DistinctReceivers(routes).Select(r => new TickIntent(action, r)));
            var after = s with
            {
                Flapping = false,
                Changes = [],
                NotifiedStatus = action is null ? s.NotifiedStatus : firing ? AlertStatus.Firing : AlertStatus.Resolved,
                LastNotifiedAt = firing ? now : s.LastNotifiedAt,
                LastDecision = DecisionKinds.Notify,
            };
            return (after, intents, $"stable for {AlertDecider.Duration(window)}: {(action ?? "no")} notification of {s.State}");
        }

        if (firing && s.Suppressed is not null && s.DueAt <= now)
        {
            if (decider.Suppression(alert, context, now) is { } still)
            {
                // Unchanged reason: nothing to write; the alert stays due and is re-checked (read only) next tick.
                return still.Reason == s.Suppressed ? (s, intents, null) : (s with { Suppressed = still.Reason, DueAt = still.RecheckAt }, intents, still.Reason);
            }

            // Silence expired or inhibiting source resolved while still firing: notify it now.
            intents.AddRange(AlertDecider.DistinctReceivers(routes).Select(r => new TickIntent(DeliveryActions.Trigger, r)));
            var reason = $"notify: no longer suppressed ({s.Suppressed[(s.Suppressed.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()} ended)";
            return (s with { Suppressed = null, NotifiedStatus = AlertStatus.Firing, LastNotifiedAt = now, LastDecision = DecisionKinds.Notify }, intents, reason);
        }

        if (firing && s.NotifiedStatus == AlertStatus.Firing && s.Suppressed is null && s.Pending.Count == 0
            && s.LastNotifiedAt is { } last && last + decider.RepeatInterval(routes) <= now)
        {
            // A silence or inhibition that began after the trigger mutes the reminders too. NotifiedStatus stays
            // Firing: someone saw the page, so its resolve must still close it.
            if (decider.Suppression(alert, context, now) is { } muted)
            {
                return (s with { Suppressed = muted.Reason, DueAt = muted.RecheckAt, LastDecision = DecisionKinds.Suppressed }, intents, muted.Reason);
            }

            intents.AddRange(AlertDecider.DistinctReceivers(routes).Select(r => new TickIntent(DeliveryActions.Repeat, r)));
            return (s with { LastNotifiedAt = now, LastDecision = DecisionKinds.Notify }, intents, $"notify: repeat after {AlertDecider.Duration(decider.RepeatInterval(routes))} still firing");
        }

        return (s, intents, null);
    }

    /// <summary>A DLQ alert's digest: the running count, once per interval, when messages arrived since the last notice.</summary>
    private (AlertState After, List<TickIntent> Intents, string? Reason) PlanDlq(AlertState s, Alert alert, DlqTally tally, DecisionContext context, DateTimeOffset now)
    {
        if (s.DueAt is not { } due || due > now)
        {
            return (s, [], null);
        }

        if (decider.Suppression(alert, context, now) is { } muted)
        {
            return muted.Reason == s.Suppressed ? (s, [], null) : (s with { Suppressed = muted.Reason, DueAt = muted.RecheckAt }, [], muted.Reason);
        }

        if (tally.Unreported == 0 && s.LastNotifiedAt is not null)
        {
            return (s with { DueAt = null, Suppressed = null }, [], null);
        }

        var route = decider.Routes.Root with { Receiver = decider.DlqReceiver, Id = "dlq" };
        var after = s with { Suppressed = null, NotifiedStatus = AlertStatus.Firing, LastNotifiedAt = now, Dlq = tally with { Unreported = 0 }, LastDecision = DecisionKinds.Notify };
        return (after, [new TickIntent(DeliveryActions.Dlq, route)], $"notify: dlq digest to {decider.DlqReceiver}: {tally.Count} message(s), {tally.Unreported} new");
    }

    /// <summary>A group is due when its earliest held notification is; then every member goes out in one digest.</summary>
    private void FlushDueGroups(IReadOnlyList<AlertState> candidates, Dictionary<string, (AlertState After, Alert Alert, List<TickIntent> Intents, IReadOnlyList<MatchedRoute> Routes)> changes, DecisionContext context, DateTimeOffset now)
    {
        var members = candidates
            .SelectMany(c => (changes.TryGetValue(c.Key, out var ch) ? ch.After : c).Pending.Select(p => (Key: c.Key, Pending: p)))
            .GroupBy(m => (m.Pending.RouteId, m.Pending.GroupKey, m.Pending.Receiver));
        foreach (var group in members)
        {
            if (group.Min(m => m.Pending.DueAt) > now || decider.Routes.Find(group.Key.RouteId) is not { } route)
            {
                continue;
            }

            foreach (var (key, pending) in group)
            {
                var current = changes.TryGetValue(key, out var ch) ? ch : default;
                var state = current.After ?? candidates.First(c => c.Key == key);
                var alert = current.Alert ?? AlertCloudEvent.FromJson(state.AlertJson!);
                var intents = current.Intents ?? [];
                var routes = current.Routes ?? decider.Routes.Match(alert.Labels);
                if (decider.Suppression(alert, context, now) is { } muted)
                {
                    // Muted since it joined the group — in an alarm storm the capability fires seconds after its
                    // components: it leaves the digest and waits as Decide would have held it. A trigger already sent
                    // on a route without group wait still counts as notified (its resolve must close it).
                    var sentAtOnce = routes.Any(r => r.GroupWait <= TimeSpan.Zero);
                    var held = state with
                    {
                        Pending = [.. state.Pending.Where(p => p != pending)],
                        Suppressed = muted.Reason,
                        NotifiedStatus = sentAtOnce ? state.NotifiedStatus : null,
                        DueAt = muted.RecheckAt,
                        LastDecision = DecisionKinds.Suppressed,
                        LastReason = muted.Reason,
                    };
                    changes[key] = (held, alert, intents, routes);
                    continue;
                }

                intents.Add(new TickIntent(DeliveryActions.Digest, route, pending.GroupKey));
                var after = state with
                {
                    Pending = [.. state.Pending.Where(p => p != pending)],
                    LastNotifiedAt = now,
                    LastDecision = DecisionKinds.Notify,
                    LastReason = $"notify: sent with group {pending.GroupKey} to {pending.Receiver}",
                };
                changes[key] = (after, alert, intents, routes);
            }
        }
    }

    /// <summary>The deliveries for the changes whose writes succeeded: singles as they are, group members as one digest per group.</summary>
    public IReadOnlyList<Delivery> Render(IReadOnlyList<TickChange> written)
    {
        var deliveries = new List<Delivery>();
        foreach (var change in written)
        {
            foreach (var intent in change.Intents.Where(i => i.GroupKey is null))
            {
                if (intent.Action == DeliveryActions.Dlq && change.Before.Dlq is { } before)
                {
                    // The tally as it was before this notice: its Unreported is what the notice reports as new.
                    deliveries.Add(decider.RenderDlq(change.Alert, before, intent.Route.Receiver));
                    continue;
                }

                deliveries.AddRange(decider.Render(change.Alert, intent.Action, [intent.Route]));
            }
        }

        var groups = written
            .SelectMany(c => c.Intents.Where(i => i.GroupKey is not null).Select(i => (c.Alert, Intent: i)))
            .GroupBy(m => (m.Intent.Route.Id, m.Intent.GroupKey, m.Intent.Route.Receiver));
        foreach (var group in groups)
        {
            var alerts = group.Select(m => m.Alert).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
            var route = group.First().Intent.Route;
            var receiver = decider.Config.FindReceiver(route.Receiver)!;
            if (alerts.Count == 1 || receiver.PagerDuty is not null)
            {
                // A group of one is simply that alert's trigger. PagerDuty gets one event per alert even when
                // grouped: each resolve must close its own dedup_key, and PagerDuty groups incidents itself.
                deliveries.AddRange(alerts.Select(a => DeliveryRenderer.Render(a, DeliveryActions.Trigger, receiver, drill: false)));
                continue;
            }

            var groupLabels = route.GroupBy
                .Where(l => alerts[0].Labels.ContainsKey(l))
                .ToDictionary(l => l, l => alerts[0].Labels[l], StringComparer.Ordinal);
            deliveries.Add(DeliveryRenderer.RenderDigest(group.Key.GroupKey!, groupLabels, alerts, receiver, drill: false));
        }

        return deliveries;
    }
}
