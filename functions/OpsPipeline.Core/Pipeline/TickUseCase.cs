using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Ports;
using OpsPipeline.Core.Notifiers;
using OpsPipeline.Core.Silences;
using OpsPipeline.Core.Stages.Budgets;
using OpsPipeline.Core.Stages.Grouping;

namespace OpsPipeline.Core.Pipeline;

/// <summary>
/// The Tick, every minute: time-based work only (group digests, repeats, end of flapping, end of silences and
/// inhibitions), deferred deliveries, SLO budgets and the flood guard's notices. Every phase after the first keeps what
/// earlier ones committed: a store failure there ends that phase, and what it did not get to waits for the next tick.
/// </summary>
public sealed class TickUseCase(PipelineConfig config, AlertPipeline pipeline, NotificationRenderer renderer, PipelinePorts ports)
{
    /// <summary>What the Tick may hand the state machine: Step Functions carries at most 256 KiB of state.</summary>
    public const int OutputBudgetBytes = 180 * 1024;

    private readonly ReactionOutcomes _outcomes = new(config, pipeline, ports);

    /// <param name="ct">Cancels the tick.</param>
    /// <param name="execution">The tick execution's name (the state machine passes it): who takes deferred deliveries.</param>
    public async Task<DecideResult> TickAsync(CancellationToken ct, string? execution = null)
    {
        try
        {
            return await TickOnceAsync(execution, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ports.Faults.IsTransient(e))
        {
            // Every change a tick makes is a conditional write: running it again is safe.
            throw new StateConflictException($"{ports.Faults.Describe(e)}: retry the tick");
        }
    }

    private async Task<DecideResult> TickOnceAsync(string? execution, CancellationToken ct)
    {
        var now = ports.Clock.GetUtcNow();
        var id = $"tick-{now:yyyyMMddTHHmmss}";
        var taker = execution ?? id;
        var (alertDeliveries, path) = await AlertWorkAsync(now, ct).ConfigureAwait(false);
        var deferred = await PhaseAsync(() => ports.Deferred.TakeDueAsync(now, taker, ct), [], path, "deferred deliveries not read", "the next tick takes them").ConfigureAwait(false);
        path.AddRange(deferred.Select(d => $"deferred {d.Action} to {d.Receiver} ({d.AlertKey}): sent again, its receiver's wait has passed"));
        var budget = await BudgetWorkAsync(now, ct).ConfigureAwait(false);
        path.AddRange(budget.Path);
        var floods = await FloodNoticesAsync(now, path, ct).ConfigureAwait(false);
        // No reactions in the config: no read at all.
        var runs = config.Reactions.Count == 0 ? [] : await PhaseAsync(() => ports.Reactions.RunsDueAsync(now, ct), [], path, "reaction runs not read", "the next tick reads them").ConfigureAwait(false);
        var outcomes = await _outcomes.TellAsync(runs, now, path, ct).ConfigureAwait(false);
        var deliveries = await FitToStateAsync([.. alertDeliveries, .. deferred, .. budget.Deliveries, .. floods, .. outcomes], path, now, ct).ConfigureAwait(false);
        var summary = $"tick: {path.Count} change(s), {deliveries.Count} deliveries" + (budget.Held.Count > 0 ? $", {budget.Held.Count} budget notice(s) held by silences" : string.Empty);
        path.AddRange(budget.Held);
        return path.Count == 0
            ? new DecideResult(id, null, "tick", "tick: nothing due", [])
            : new DecideResult(id, null, "tick", summary, deliveries) { Path = path };
    }

    /// <summary>A read that, if its store fails, ends only its own phase: the path says so, and the next tick does it.</summary>
    private async Task<T> PhaseAsync<T>(Func<Task<T>> read, T none, List<string> path, string what, string then)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e) when (ports.Faults.IsStoreFailure(e))
        {
            path.Add($"{what} ({ports.Faults.Describe(e)}): {then}");
            return none;
        }
    }

    /// <summary>
    /// The deliveries that fit the Tick's output; the rest were committed already, so they are deferred to the next
    /// tick (in the table, as a receiver's wait would be) rather than lost with an output Step Functions refuses.
    /// </summary>
    private async Task<List<Delivery>> FitToStateAsync(List<Delivery> deliveries, List<string> path, DateTimeOffset now, CancellationToken ct)
    {
        // The path is for people: past 200 lines it says how many more there were.
        if (path.Count > 200)
        {
            var more = path.Count - 200;
            path.RemoveRange(200, more);
            path.Add($"… and {more} more");
        }

        var size = path.Sum(p => p.Length + 8);
        var kept = new List<Delivery>(deliveries.Count);
        var overflow = 0;
        foreach (var delivery in deliveries)
        {
            // The body, plus the envelope: receiver, keys, target, subject.
            var bytes = delivery.PayloadUtf8.Length + delivery.AlertKey.Length + delivery.DedupKey.Length + 512;
            if (size + bytes <= OutputBudgetBytes)
            {
                size += bytes;
                kept.Add(delivery);
                continue;
            }

            try
            {
                await ports.Deferred.PutAsync(delivery, now, ct).ConfigureAwait(false);
                overflow++;
            }
            catch (Exception e) when (ports.Faults.IsStoreFailure(e))
            {
                kept.Add(delivery); // cannot keep it for later: send it now, whatever the size
            }
        }

        if (overflow > 0)
        {
            path.Add($"{overflow} deliveries deferred to the next tick: this tick's output is at its {OutputBudgetBytes / 1024} KiB budget");
        }

        return kept;
    }

    private async Task<(IReadOnlyList<Delivery> Deliveries, List<string> Path)> AlertWorkAsync(DateTimeOffset now, CancellationToken ct)
    {
        var candidates = await ports.AlertStates.DueAsync(now + pipeline.Lookahead, ct).ConfigureAwait(false);
        if (candidates.Count == 0)
        {
            return ([], []);
        }

        var context = new DecisionContext(
            await ports.Silences.ListAsync(ct).ConfigureAwait(false),
            await ports.AlertStates.SourcesAsync(ct).ConfigureAwait(false));
        var written = new List<TickChange>();
        var reactions = new List<Reaction>();
        var reactionPath = new List<string>();
        var heldFor = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var planned in pipeline.Plan(candidates, context, now))
        {
            var (change, over) = pipeline.Floods.Cap(planned, now);
            // A Decide that wrote this alert since we read it wins; its state is newer, the next tick re-plans. So does
            // a write that failed: what was written before it is told now, not lost with the rest of the tick.
            try
            {
                (change, var started) = await ReactOnReleaseAsync(change, reactionPath, now, ct).ConfigureAwait(false);

                // A resolve handed to the alert's SLO incident is recorded there first (idempotent): a failure here
                // leaves the alert as it was, and the next tick plans it again.
                foreach (var hold in change.IncidentHolds)
                {
                    await ports.Budgets.UpdateAsync(hold.Slo, b => b.WithPaged(hold.Receiver), ct).ConfigureAwait(false);
                }

                if (await ports.AlertStates.TryWriteAsync(DecisionHistory.AfterTick(change, now), change.Before.Version, ct).ConfigureAwait(false))
                {
                    written.Add(change);
                    reactions.AddRange(started);
                    foreach (var held in over)
                    {
                        heldFor[held.Receiver] = heldFor.GetValueOrDefault(held.Receiver) + 1;
                    }
                }
            }
            catch (Exception e) when (ports.Faults.IsStoreFailure(e))
            {
                ports.Metrics.Count("TickWriteFailures", ("Work", "alert"));
            }
        }

        foreach (var (receiver, count) in heldFor)
        {
            try
            {
                await ports.Floods.HoldAsync(receiver, forAlert: true, count, now, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ports.Faults.IsStoreFailure(e))
            {
                ports.Metrics.Count("TickWriteFailures", ("Work", "flood"));
            }
        }

        // Before their records change: the groups this tick sends updates to, for the members told firing in earlier ones.
        var (before, unread) = await GroupsBeforeAsync(written, ct).ConfigureAwait(false);

        // The groups that had an update or whose told-firing members changed: their grids pace what joins or resolves next.
        var groups = pipeline.Grouping.Updates(written, now, before);
        if (groups.Count > 0)
        {
            try
            {
                await ports.AlertStates.NoteGroupsAsync(groups, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ports.Faults.IsStoreFailure(e))
            {
                ports.Metrics.Count("TickWriteFailures", ("Work", "group"));
            }
        }

        // Marked for Deliver's cap per receiver as they were for the cap per alert: a tick's triggers are an episode's
        // first notification; digests carry the renderer's mark (an update of repeats only is not).
        var rendered = renderer.Render(written.SelectMany(c => c.Notifications), GroupingStage.StillFiring(written, groups, before))
            .Select(d => d.Action is DeliveryActions.Trigger ? d with { Essential = true } : d).ToList();
        return ([.. rendered, .. reactions.Select(ReactionDelivery.Of)], [.. written.SelectMany(c => c.IncidentHolds.Select(h => $"{c.Alert.Name}: resolve to {h.Receiver} handed to the {h.Slo} incident: it resolves once nothing behind it fires")
            .Prepend($"{c.Alert.Name}: {c.After.LastReason}")), .. reactionPath, .. unread]);
    }

    /// <summary>
    /// A firing alert the Tick releases (its mute or flapping ended) reacts now, once per transition: each reaction is
    /// counted against its hourly cap before the alert's write, recorded in the state that write commits, and named
    /// in the alert's notifications, as a Decide would.
    /// </summary>
    private async Task<(TickChange Change, IReadOnlyList<Reaction> Started)> ReactOnReleaseAsync(TickChange change, List<string> path, DateTimeOffset now, CancellationToken ct)
    {
        var (after, started, lines) = pipeline.Reactions.OnTickTrigger(change.Alert, change.After, change.Notifications.Any(n => n.Action == DeliveryActions.Trigger), now);
        path.AddRange(lines.Select(l => $"{change.Alert.Name}: {l}"));
        if (started.Count == 0)
        {
            return (change, []);
        }

        var refused = new List<Reaction>();
        foreach (var reaction in started)
        {
            if (!await ports.Reactions.TryCountAsync(reaction.Name, reaction.RunId, now, pipeline.Reactions.CapOf(reaction), ct).ConfigureAwait(false))
            {
                refused.Add(reaction);
                path.Add($"{change.Alert.Name}: reaction {reaction.Name}: not run: maxPerHour {pipeline.Reactions.CapOf(reaction)} reached across alerts");
            }
        }

        var run = started.Except(refused).ToList();
        return (change with
        {
            After = refused.Count == 0 ? after : Stages.Reactions.ReactionStage.WithoutRuns(after, refused, now),
            Notifications = ReactionDelivery.Told(change.Notifications, run, refused),
        }, run);
    }

    /// <summary>
    /// The records of the groups this tick sends updates to (receivers of digests), in one read: the members told firing
    /// in earlier updates. Their state is already committed, so a failed read loses no update: each goes out with its
    /// own members only, and the path says so.
    /// </summary>
    private async Task<(IReadOnlyDictionary<string, GroupMembers> Before, IReadOnlyList<string> Unread)> GroupsBeforeAsync(IReadOnlyList<TickChange> written, CancellationToken ct)
    {
        var ids = pipeline.Grouping.DigestGroups(written);
        if (ids.Count == 0)
        {
            return (new Dictionary<string, GroupMembers>(), []);
        }

        try
        {
            var read = await ports.AlertStates.GroupMembersAsync(ids, ct).ConfigureAwait(false);
            return (ids.ToDictionary(id => id, id => read.GetValueOrDefault(id) ?? GroupMembers.None, StringComparer.Ordinal), []);
        }
        catch (Exception e) when (ports.Faults.IsStoreFailure(e) || e is StateConflictException)
        {
            var groups = string.Join(", ", ids.Select(id => id[(id.IndexOf('\n', StringComparison.Ordinal) + 1)..]));
            return (new Dictionary<string, GroupMembers>(), [$"group records not read ({ports.Faults.Describe(e)}): the updates of {groups} list their own members only, not the others still firing"]);
        }
    }

    /// <summary>One summary to each receiver the flood guard held notifications for, a minute after the first hold.</summary>
    private async Task<IReadOnlyList<Delivery>> FloodNoticesAsync(DateTimeOffset now, List<string> path, CancellationToken ct)
    {
        var tallies = await PhaseAsync(() => ports.Floods.TakeDueAsync(now, ct), [], path, "flood guard tallies not read", "the next tick tells them").ConfigureAwait(false);
        var guard = config.Defaults.FloodGuard;
        var notices = new List<Delivery>();
        foreach (var t in tallies)
        {
            if (config.FindReceiver(t.Receiver) is { } receiver)
            {
                notices.Add(FloodNotice.Render(receiver, t.HeldForAlert, t.HeldForReceiver, t.Since, guard.AlertPerHour, guard.ReceiverCap(receiver.Channel)));
                path.Add(FloodNotice.Text(receiver.Name, t.HeldForAlert, t.HeldForReceiver, t.Since, guard.AlertPerHour, guard.ReceiverCap(receiver.Channel)));
            }
        }

        return notices;
    }

    /// <summary>What one tick's budget work told and held, and the silences it read (once, and only if something is to be told).</summary>
    private sealed class BudgetWork
    {
        public List<Delivery> Deliveries { get; } = [];

        public List<string> Path { get; } = [];

        public List<string> Held { get; } = [];

        public IReadOnlyList<Silence>? Silences { get; set; }
    }

    /// <summary>Every SLO, every minute: burn-rate alerts fire or resolve, exhaustion is told once, metrics are emitted.</summary>
    private async Task<BudgetWork> BudgetWorkAsync(DateTimeOffset now, CancellationToken ct)
    {
        var work = new BudgetWork();
        foreach (var slo in config.Slos)
        {
            try
            {
                await SloWorkAsync(slo, now, work, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ports.Faults.IsStoreFailure(e))
            {
                // Its notices are not told (its state was not written): the next tick evaluates it again.
                ports.Metrics.Count("TickWriteFailures", ("Work", "budget"));
                work.Path.Add($"{slo.Name}: not evaluated ({ports.Faults.Describe(e)}): the next tick evaluates it");
            }
        }

        return work;
    }

    private async Task SloWorkAsync(SloConfig slo, DateTimeOffset now, BudgetWork work, CancellationToken ct)
    {
        var state = await ports.Budgets.GetAsync(slo.Name, ct).ConfigureAwait(false);
        var (next, notices) = pipeline.Budgets.Evaluate(state, slo, now);
        EmitBudgetMetrics(state, slo, now);
        IReadOnlySet<string>? stillTold = null;
        if (BudgetStage.Closes(notices))
        {
            // Before the incident resolves: the alarms' own notification logs (one read per alarm, only then).
            stillTold = await StillToldAsync(state, ct).ConfigureAwait(false);
            (next, notices) = pipeline.Budgets.Evaluate(state, slo, now, stillTold);
        }

        if (notices.Count > 0)
        {
            // Silences are read only when there is something to tell (one Query, at most once a tick).
            var active = work.Silences ??= await ports.Silences.ListAsync(ct).ConfigureAwait(false);
            (next, notices) = pipeline.Budgets.Evaluate(state, slo, now, active, work.Held, stillTold);
        }

        if ((notices.Count == 0 && next.SameTold(state)) || !await ports.Budgets.TryWriteAsync(next, ct).ConfigureAwait(false))
        {
            return; // nothing to tell or record, or a Decide wrote meanwhile: the next tick evaluates again
        }

        var folded = next.Episodes.Where(e => e.Folded && !state.Episodes.Contains(e)).Select(e => e.Id).ToList();
        if (folded.Count > 0)
        {
            work.Path.Add($"{slo.Name}: {string.Join(", ", folded)} folded into its open incident: {config.TeamReceiverOf(slo)} is told what the incident cost when it ends");
        }
        else if (notices.Count == 0 && state.IncidentSince is not null && next.IncidentSince is null)
        {
            work.Path.Add($"{slo.Name}: its incident ended; no receiver that is not paged to tell what it cost");
        }

        foreach (var notice in notices)
        {
            if (config.FindReceiver(notice.Receiver) is { } receiver)
            {
                // Told once per episode (a burn page, its all-clear, exhaustion): never held by the flood guard.
                work.Deliveries.Add(BudgetMessage.Render(notice, receiver, drill: false) with { Essential = true });
                work.Path.Add($"{slo.Name}: {notice.Kind} to {receiver.Name}: {BudgetMessage.Text(notice, drill: false)}");
            }
        }
    }

    /// <summary>The receivers any of the SLO's alarms has told it fires and not yet that it resolved.</summary>
    private async Task<IReadOnlySet<string>> StillToldAsync(BudgetState state, CancellationToken ct)
    {
        var told = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in state.AlarmKeys.Values)
        {
            var (alarm, _) = await ports.AlertStates.GetAsync(key, withSources: false, ct).ConfigureAwait(false);
            told.UnionWith(alarm?.ToldFiring ?? []);
        }

        return told;
    }

    private void EmitBudgetMetrics(BudgetState state, SloConfig slo, DateTimeOffset now)
    {
        ports.Metrics.Emit("ErrorBudgetRemainingPercent", (1 - BudgetLedger.Consumed(state, slo, now)) * 100, "Percent", ("Slo", slo.Name));
        foreach (var window in slo.BurnAlerts.SelectMany(a => new[] { a.Long, a.Short }).Distinct())
        {
            ports.Metrics.Emit("BurnRate", BudgetLedger.BurnRate(state, slo, window, now), "None", ("Slo", slo.Name), ("Window", BudgetEvaluator.Span(window)));
        }
    }
}
