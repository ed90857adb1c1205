using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Stages.Grouping;

/// <summary>
/// Routing and groups: which routes an alert goes to, and on routes with a <c>groupWait</c> its trigger waits for the
/// group's first wait to end, then goes out with every member in one digest. From then on the group's updates fall on
/// its grid, every <c>groupInterval</c> from that first notification, until no member is told firing; newcomers and
/// resolves join the next. A resolve closes only what was sent.
/// </summary>
public sealed class GroupingStage(
    StageSettings settings, Func<Alert, DecisionContext, DateTimeOffset, Suppression?> muted, Func<MatchedRoute, Alert, DateTimeOffset, PendingNotification?>? timeHeld = null)
{
    /// <summary>
    /// How far ahead the Tick must look for members of a due group that are not due themselves: the longest group wait,
    /// or group interval where resolves wait for their group's update, of any grouped route.
    /// </summary>
    public TimeSpan MaxGroupWait { get; } = settings.Routes.All
        .Select(r => r.GroupWait <= TimeSpan.Zero ? TimeSpan.Zero : r.GroupWait > r.GroupInterval ? r.GroupWait : r.GroupInterval)
        .DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>Event time, once admitted: the routes this alert goes to.</summary>
    public Decision? Route(EventStep step)
    {
        step.Routes = settings.Routes.Match(step.Alert.Labels);
        step.Path.Add("routes: " + string.Join(", ", step.Routes.Select(r => $"{r.Id}→{r.Receiver}")));
        return null;
    }

    /// <summary>
    /// Event time, firing: a trigger now on routes without a group wait, held for the group on routes with one; nothing
    /// where a resolve was only held, as the receiver still believes it fires.
    /// </summary>
    public Decision? Trigger(EventStep step)
    {
        if (step.Alert.Status != AlertStatus.Firing)
        {
            return null;
        }

        var next = step.Next with { Suppressed = null };
        var now = new List<MatchedRoute>();
        var stillTold = new List<string>();
        var pending = new List<PendingNotification>(next.Pending);
        foreach (var route in Notification.DistinctReceivers(step.Routes))
        {
            if (pending.Any(p => p.RouteId == route.Id && p.Action == DeliveryActions.Resolve) && next.ToldFiring.Contains(route.Receiver, StringComparer.Ordinal))
            {
                // It fires again before its resolve went out with the group's update: the receiver was never told
                // otherwise, so there is nothing to tell it (as Alertmanager's next flush finds nothing changed).
                pending.RemoveAll(p => p.RouteId == route.Id);
                stillTold.Add(route.Receiver);
                step.Path.Add($"route {route.Id}: {route.Receiver} still told it fires; its held resolve is dropped unsent");
            }
            else if (timeHeld?.Invoke(route, step.Alert, step.Now) is { } hold)
            {
                // This route is muted by time (see TimeMutingStage): its notification waits for the mute's end.
                pending.RemoveAll(p => p.RouteId == route.Id);
                pending.Add(hold);
                step.Path.Add($"route {route.Id}: muted by time until {DecisionText.Format(hold.DueAt)}");
            }
            else if (route.GroupWait > TimeSpan.Zero)
            {
                var group = RouteTree.GroupKey(route, step.Alert.Labels);
                var due = TriggerDue(route, step.Context.GroupsNotified.GetValueOrDefault(GroupNotices.Id(route.Id, group)), step.Now);
                pending.RemoveAll(p => p.RouteId == route.Id);
                pending.Add(new PendingNotification(route.Id, group, route.Receiver, due));
                step.Path.Add($"route {route.Id}: held for group {group} until {DecisionText.Format(due)}");
            }
            else
            {
                now.Add(route);
            }
        }

        var notifications = Notification.ToRoutes(step.Alert, DeliveryActions.Trigger, now);
        next = next with
        {
            NotifiedStatus = notifications.Count > 0 || pending.Count > 0 || stillTold.Count > 0 ? AlertStatus.Firing : next.NotifiedStatus,
            Pending = pending,
            LastNotifiedAt = notifications.Count > 0 ? step.Now : next.LastNotifiedAt,
            ToldFiring = StateChanges.Told(next.ToldFiring, notifications.Select(n => n.Receiver)),
        };
        var still = stillTold.Count > 0 ? $"; {string.Join(", ", stillTold)} still told it fires" : string.Empty;
        if (notifications.Count > 0)
        {
            return step.Done(DecisionKinds.Notify, $"notify: trigger to {Notification.Receivers(notifications)}" + still, next, notifications);
        }

        if (pending.Count > 0)
        {
            return step.Done(DecisionKinds.Grouped, $"grouped: held for {string.Join(", ", pending.Select(p => p.Receiver))} until {DecisionText.Format(pending.Min(p => p.DueAt))}" + still, next, []);
        }

        return stillTold.Count > 0
            ? step.Done(DecisionKinds.Recorded, $"recorded: {step.Alert.Name} fires again before its resolve went out" + still, next, [])
            : step.Done(DecisionKinds.Recorded, $"recorded: no route matched a receiver for {step.Alert.Name}", next, []);
    }

    /// <summary>
    /// Event time, resolved: a resolve to every receiver that was told it fires (the notification log); a trigger
    /// still held for its group is dropped unsent, and a receiver that never heard of it hears nothing now. A resolve
    /// held for its group's update leaves the receiver in the log until the update sends it.
    /// </summary>
    public Decision? Resolve(EventStep step)
    {
        if (step.Alert.Status != AlertStatus.Resolved)
        {
            return null;
        }

        var next = step.Next;
        if (next.NotifiedStatus != AlertStatus.Firing)
        {
            var why = next.Suppressed is not null ? $"recorded: {step.Alert.Name} resolved while suppressed; it was never sent" : $"recorded: {step.Alert.Name} is {step.Alert.State.Wire()} and was not notified as firing";
            return step.Done(DecisionKinds.Recorded, why, next with { Suppressed = null, Pending = [] }, []);
        }

        // A trigger still held for a group was never sent: drop it rather than resolve what no one saw. On a grouped route
        // to a receiver of digests the resolve joins the group's next update: what resolves together, and what joins
        // meanwhile, goes out together. Incident receivers (PagerDuty) close each alert's own incident at once.
        var told = next.ToldFiring;
        var toldRoutes = Notification.DistinctReceivers(step.Routes).Where(r => told.Contains(r.Receiver, StringComparer.Ordinal)).ToList();
        var batched = toldRoutes.Where(r => r.GroupWait > TimeSpan.Zero && !settings.KeepsIncidents(r.Receiver)).ToList();
        next = next with
        {
            Pending = [.. batched.Select(r => ResolveHeld(r, step))],
            Suppressed = null,
            NotifiedStatus = AlertStatus.Resolved,
            ToldFiring = [.. told.Where(r => batched.Any(b => b.Receiver == r))],
        };
        if (!settings.Config.Defaults.SendResolved)
        {
            // Nothing is told, but the member still leaves its group with that update (unsent), so the group's grid ends
            // with its episode.
            var leaves = next.Pending.Count > 0 ? $"; leaves its group with its update at {DecisionText.Format(next.Pending.Min(p => p.DueAt))}" : string.Empty;
            return step.Done(DecisionKinds.Recorded, "recorded: resolved (sendResolved is off)" + leaves, next, []);
        }

        var notifications = Notification.ToRoutes(step.Alert, DeliveryActions.Resolve, toldRoutes.Except(batched));
        if (notifications.Count > 0)
        {
            return step.Done(DecisionKinds.Notify, $"notify: resolve to {Notification.Receivers(notifications)}" + HeldResolves(next), next, notifications);
        }

        return next.Pending.Count > 0
            ? step.Done(DecisionKinds.Grouped, "grouped: resolve" + HeldResolves(next)[1..], next, [])
            : step.Done(DecisionKinds.Recorded, $"recorded: {step.Alert.Name} resolved within its group wait; nothing had been sent", next, []);
    }

    /// <summary>
    /// Tick time, over all due alerts: a group is due when its earliest held notification is; then every member goes
    /// out in one digest. A member muted since it joined leaves the digest and waits as Decide would have held it.
    /// </summary>
    public void Flush(IReadOnlyList<AlertState> candidates, Dictionary<string, PlannedChange> changes, DecisionContext context, DateTimeOffset now)
    {
        var members = candidates
            .SelectMany(c => (changes.TryGetValue(c.Key, out var ch) ? ch.After : c).Pending.Select(p => (c.Key, Pending: p)))
            .GroupBy(m => (m.Pending.RouteId, m.Pending.GroupKey, m.Pending.Receiver));
        foreach (var group in members)
        {
            if (group.Min(m => m.Pending.DueAt) > now || settings.Routes.Find(group.Key.RouteId) is not { } route)
            {
                continue;
            }

            foreach (var (key, pending) in group)
            {
                var planned = changes.GetValueOrDefault(key);
                var state = planned?.After ?? candidates.First(c => c.Key == key);
                var alert = planned?.Alert ?? AlertCloudEvent.FromJson(state.AlertJson!);
                var notifications = planned?.Notifications ?? [];
                var routes = planned?.Routes ?? settings.Routes.Match(alert.Labels);
                var rest = state.Pending.Where(p => p != pending).ToList();
                if (pending.Action == DeliveryActions.Resolve)
                {
                    // A resolve of what the receiver was told: listed as resolved in the group's update, never muted; from
                    // now on the receiver knows it no longer fires. With sendResolved off it leaves the group untold.
                    var told = settings.Config.Defaults.SendResolved;
                    if (told)
                    {
                        notifications.Add(new Notification(DeliveryActions.Digest, route.Receiver, alert) { Route = route, GroupKey = pending.GroupKey, Member = pending.Action });
                    }

                    changes[key] = new PlannedChange(
                        state with
                        {
                            Pending = rest, ToldFiring = [.. state.ToldFiring.Where(r => r != pending.Receiver)],
                            LastDecision = told ? DecisionKinds.Notify : DecisionKinds.Recorded,
                            LastReason = told ? $"notify: resolve sent with group {pending.GroupKey} to {pending.Receiver}" : $"recorded: resolved; left group {pending.GroupKey} untold (sendResolved is off)",
                        },
                        alert, notifications, routes);
                    continue;
                }

                if (timeHeld?.Invoke(route, alert, now) is { } hold)
                {
                    // Its route is muted by time since it joined: it waits for the mute's end, then joins that flush.
                    changes[key] = new PlannedChange(state with { Pending = [.. rest, hold with { GroupKey = pending.GroupKey }] }, alert, notifications, routes);
                    continue;
                }

                if (muted(alert, context, now) is { } muting)
                {
                    // In an alarm storm the capability fires seconds after its components. An alert some receiver was
                    // already told (a route without group wait, an earlier digest) still counts as notified: its resolve
                    // must close what that receiver saw.
                    changes[key] = new PlannedChange(
                        state with
                        {
                            Pending = rest, Suppressed = muting, NotifiedStatus = state.ToldFiring.Count > 0 ? state.NotifiedStatus : null, DueAt = muting.Until,
                            LastDecision = DecisionKinds.Suppressed, LastReason = muting.Reason,
                        },
                        alert, notifications, routes);
                    continue;
                }

                notifications.Add(new Notification(DeliveryActions.Digest, route.Receiver, alert) { Route = route, GroupKey = pending.GroupKey, Member = pending.Action });
                var after = state with
                {
                    Pending = rest, LastNotifiedAt = now, ToldFiring = StateChanges.Told(state.ToldFiring, [route.Receiver]),
                    LastDecision = DecisionKinds.Notify, LastReason = $"notify: sent with group {pending.GroupKey} to {pending.Receiver}",
                };
                changes[key] = new PlannedChange(after, alert, notifications, routes);
            }
        }
    }

    /// <summary>
    /// When a trigger held for its group goes out. To a receiver of digests: with the group's next update while the group
    /// has a grid (it was notified and a member is still told firing), else when this new group's wait ends. To an
    /// incident receiver, one event per alert: a group wait, or the group's last notice plus its interval if later.
    /// </summary>
    private DateTimeOffset TriggerDue(MatchedRoute route, GroupNotice? group, DateTimeOffset now)
    {
        if (settings.KeepsIncidents(route.Receiver))
        {
            return group?.NotifiedAt is { } last && last + route.GroupInterval > now + route.GroupWait ? last + route.GroupInterval : now + route.GroupWait;
        }

        return group?.Anchor is { } anchor ? GroupNotices.NextSlot(anchor, route.GroupInterval, now) : now + route.GroupWait;
    }

    /// <summary>
    /// A resolve held for its group's next update, on the group's grid; in a group with no grid on record (written before
    /// grids were kept), in the shared slot a group interval after the alert was last told, as before.
    /// </summary>
    private static PendingNotification ResolveHeld(MatchedRoute route, EventStep step)
    {
        var key = RouteTree.GroupKey(route, step.Alert.Labels);
        var last = step.Stored?.LastNotifiedAt ?? step.Now;
        var due = step.Context.GroupsNotified.GetValueOrDefault(GroupNotices.Id(route.Id, key))?.Anchor is { } anchor
            ? GroupNotices.NextSlot(anchor, route.GroupInterval, step.Now)
            : GroupNotices.UpdateSlot(last + route.GroupInterval > step.Now ? last + route.GroupInterval : step.Now, route.GroupInterval);
        return new PendingNotification(route.Id, key, route.Receiver, due, DeliveryActions.Resolve);
    }

    /// <summary>
    /// After the Tick's writes: what they changed of each group, for its record. A group had an update if a digest member
    /// went out in it; on a route to a receiver of digests, a member joins the group's told-firing members when the
    /// receiver is told it fires and leaves when told it resolved (the notification log, before and after). Where the
    /// Tick read the group's record before (<paramref name="before"/>), the update also says whom the record names.
    /// </summary>
    public IReadOnlyList<GroupUpdate> Updates(IEnumerable<TickChange> written, DateTimeOffset now, IReadOnlyDictionary<string, GroupMembers>? before = null)
    {
        var sent = new List<string>();
        var told = new List<(string Group, string Key, Alert Alert, bool Firing)>();
        foreach (var change in written)
        {
            sent.AddRange(change.Notifications.Where(n => n.GroupKey is not null && n.Route is not null).Select(n => GroupNotices.Id(n.Route!.Id, n.GroupKey!)));
            if (change.After.Dlq is not null)
            {
                continue;
            }

            foreach (var route in DigestRoutes(change.Alert))
            {
                var after = change.After.ToldFiring.Contains(route.Receiver, StringComparer.Ordinal);
                if (after != change.Before.ToldFiring.Contains(route.Receiver, StringComparer.Ordinal))
                {
                    told.Add((GroupNotices.Id(route.Id, RouteTree.GroupKey(route, change.Alert.Labels)), change.After.Key, change.Alert, after));
                }
            }
        }

        return [.. sent.Concat(told.Select(t => t.Group)).Distinct(StringComparer.Ordinal).Select(id =>
        {
            var joined = told.Where(t => t.Group == id && t.Firing).ToList();
            var left = told.Where(t => t.Group == id && !t.Firing).Select(t => t.Key).ToList();
            return new GroupUpdate(id, now, sent.Contains(id, StringComparer.Ordinal), [.. joined.Select(t => t.Key)], left)
            {
                Named = before?.GetValueOrDefault(id) is { } record && joined.Count + left.Count > 0
                    ? GroupRoster.NamedAfter(record, joined.Select(t => GroupRoster.Member(t.Key, t.Alert)), left.Select(GroupNotices.MemberId))
                    : null,
            };
        })];
    }

    /// <summary>The groups the Tick's writes send an update to on a route to a receiver of digests: the records it reads first.</summary>
    public IReadOnlyList<string> DigestGroups(IEnumerable<TickChange> written) =>
        [.. written.SelectMany(c => c.Notifications)
            .Where(n => n.GroupKey is not null && n.Route is not null && !settings.KeepsIncidents(n.Receiver))
            .Select(n => GroupNotices.Id(n.Route!.Id, n.GroupKey!))
            .Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// For each group whose record was read before its update (<paramref name="before"/>), the members it lists as
    /// still firing besides its own: told firing before, not in the update, not left untold by it (<paramref name="updates"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, StillFiring> StillFiring(
        IEnumerable<TickChange> written, IReadOnlyList<GroupUpdate> updates, IReadOnlyDictionary<string, GroupMembers> before)
    {
        var members = written.SelectMany(c => c.Notifications.Where(n => n.GroupKey is not null && n.Route is not null).Select(n => (c.After.Key, n)))
            .ToLookup(m => GroupNotices.Id(m.n.Route!.Id, m.n.GroupKey!), m => GroupNotices.MemberId(m.Key), StringComparer.Ordinal);
        return before.ToDictionary(
            g => g.Key,
            g => GroupRoster.Still(g.Value, members[g.Key], updates.FirstOrDefault(u => u.GroupId == g.Key)?.Untold.Select(GroupNotices.MemberId) ?? []),
            StringComparer.Ordinal);
    }

    private IEnumerable<MatchedRoute> DigestRoutes(Alert alert) =>
        Notification.DistinctReceivers(settings.Routes.Match(alert.Labels)).Where(r => r.GroupWait > TimeSpan.Zero && !settings.KeepsIncidents(r.Receiver));

    /// <summary>`; held for team until 09:10:05Z, with its group` when resolves wait for their groups; empty otherwise.</summary>
    private static string HeldResolves(AlertState next) =>
        next.Pending.Count == 0 ? string.Empty
            : $"; held for {string.Join(", ", next.Pending.Select(p => p.Receiver))} until {DecisionText.Format(next.Pending.Min(p => p.DueAt))}, with its group";

    /// <summary>Due: when the first held notification's group wait ends.</summary>
    public DateTimeOffset? Due(AlertState s, IReadOnlyList<MatchedRoute> routes) => s.Pending.Count > 0 ? s.Pending.Min(p => p.DueAt) : null;
}
