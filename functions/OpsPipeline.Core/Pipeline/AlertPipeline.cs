using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;
using OpsPipeline.Core.Stages.Budgets;
using OpsPipeline.Core.Stages.Dedupe;
using OpsPipeline.Core.Stages.Dlq;
using OpsPipeline.Core.Stages.Drills;
using OpsPipeline.Core.Stages.Flapping;
using OpsPipeline.Core.Stages.Floods;
using OpsPipeline.Core.Stages.Grouping;
using OpsPipeline.Core.Stages.Incidents;
using OpsPipeline.Core.Stages.Muting;
using OpsPipeline.Core.Stages.Ordering;
using OpsPipeline.Core.Stages.Reactions;
using OpsPipeline.Core.Stages.Repeat;
using OpsPipeline.Core.Stages.TimeMuting;

namespace OpsPipeline.Core.Pipeline;

/// <summary>
/// The decision core as one list of stages, read top to bottom. An event runs through the event rules until one
/// decides; a due alert runs through the tick rules until one plans; every stage adds its due time. No I/O: the use
/// cases read, call this, write conditionally, and render only what was written.
/// </summary>
public sealed class AlertPipeline
{
    private readonly EventRule[] _alarmEvent;
    private readonly EventRule[] _dlqEvent;
    private readonly TickRule[] _alarmTick;
    private readonly TickRule[] _dlqTick;
    private readonly DueRule[] _alarmDue;
    private readonly DueRule[] _dlqDue;
    private readonly DrillStage _drills;
    private readonly SloIncidentStage _incidents;

    public AlertPipeline(PipelineConfig config, RouteTree routes)
    {
        Settings = new StageSettings(config, routes);
        Muting = new MutingStage(new SilenceMuter(), new InhibitionMuter(config.Inhibit));
        var dedupe = new DedupeStage();
        var ordering = new OrderingStage();
        var flapping = new FlappingStage(Settings, Muting.Mutes);
        var repeat = new RepeatStage(Settings, Muting.Mutes);
        var timeMuting = new TimeMutingStage(new RouteTimeMuter(config.TimeIntervals), Muting.Mutes);
        Grouping = new GroupingStage(Settings, Muting.Mutes, timeMuting.Hold);
        Dlq = new DlqStage(Settings, Muting.Mutes);
        Budgets = new BudgetStage(config);
        Floods = new AlertFloodStage(Settings);
        _drills = new DrillStage(Settings);
        _incidents = new SloIncidentStage(config);
        Reactions = new ReactionStage(config, Muting.Mutes);

        _alarmEvent =
        [
            dedupe.DuplicateEvent, ordering.Stale, ordering.SameTransition,
            ordering.Advance, flapping.Count, Grouping.Route,
            flapping.Flap, dedupe.AlreadyNotified, Muting.Mute, timeMuting.Mute, Grouping.Trigger, Grouping.Resolve, ordering.Unknown,
        ];
        _dlqEvent = [dedupe.DuplicateEvent, Dlq.Count];
        _alarmTick = [flapping.Settle, timeMuting.Release, Muting.Release, repeat.Remind];
        _dlqTick = [Dlq.Digest];
        _alarmDue = [Grouping.Due, flapping.Due, Muting.Due, repeat.Due];
        _dlqDue = [Dlq.Due];
    }

    public StageSettings Settings { get; }

    public MutingStage Muting { get; }

    public GroupingStage Grouping { get; }

    public DlqStage Dlq { get; }

    public BudgetStage Budgets { get; }

    public AlertFloodStage Floods { get; }

    /// <summary>What a transition starts on its own; the use case applies the hourly cap across alerts (<see cref="ReactionStage.Capped"/>).</summary>
    public ReactionStage Reactions { get; }

    /// <summary>How far ahead of now the Tick's candidates must reach: members of a due group that are not due themselves.</summary>
    public TimeSpan Lookahead => Grouping.MaxGroupWait;

    /// <summary>The groups this alert would be held for (routes with a group wait): their last notices pace it.</summary>
    public IReadOnlyList<string> GroupsOf(Alert alert) =>
        alert.Source == AlertSource.Dlq ? [] : [.. Notification.DistinctReceivers(Settings.Routes.Match(alert.Labels))
            .Where(r => r.GroupWait > TimeSpan.Zero).Select(r => GroupNotices.Id(r.Id, RouteTree.GroupKey(r, alert.Labels)))];

    /// <summary>Whether deciding this alert needs the firing inhibition sources (it is an inhibit target).</summary>
    public bool NeedsSources(Alert alert) => Muting.Inhibition.IsTarget(alert.Labels);

    /// <summary>
    /// Decides one event. A replayed event (drill) is decided exactly as production would decide it, against the
    /// drill's own state, then sent only to the drill receiver; the flood guard caps what goes out.
    /// </summary>
    public Decision Decide(Alert alert, AlertState? stored, DecisionContext context, DateTimeOffset now, string? alertJson = null)
    {
        var step = new EventStep(alert, stored, context, now, alertJson);
        var dlq = alert.Source == AlertSource.Dlq;
        var decision = First(dlq ? _dlqEvent : _alarmEvent, step);
        if (!dlq && step.Next is not null)
        {
            // Admitted (not a duplicate, not out of order): when the Tick next needs it, and its source transition.
            decision = decision with
            {
                NewState = decision.NewState is { } s ? WithDueAt(s, step.Routes) : null,
                SourceUpdate = Muting.SourceUpdate(alert),
            };
        }

        decision = Reactions.React(step, Floods.Cap(step, _drills.Redirect(step, decision)));
        var (sent, holds, path) = _incidents.Fold(decision.Notifications);
        return holds.Count == 0 && ReferenceEquals(sent, decision.Notifications)
            ? decision
            : Folded(decision, sent, holds, path);
    }

    /// <summary>The decision with its SLO-incident fold applied; the stored reason says where a resolve went, as the result does.</summary>
    private static Decision Folded(Decision decision, IReadOnlyList<Notification> sent, IReadOnlyList<IncidentHold> holds, IReadOnlyList<string> path)
    {
        var reason = holds.Count == 0 ? decision.Reason : $"{decision.Reason} ({string.Join("; ", path)})";
        return decision with
        {
            Notifications = sent, IncidentHolds = holds, Path = [.. decision.Path, .. path], Reason = reason,
            NewState = holds.Count > 0 && decision.NewState is { } next && next.LastReason == decision.Reason ? next with { LastReason = reason } : decision.NewState,
        };
    }

    /// <summary>
    /// The Tick's time-based work, planned: flush due groups as one digest, repeat, end flapping, release what is no
    /// longer muted. The caller writes each change conditionally and renders only what was written, so a Tick racing a
    /// Decide never sends for state it did not win.
    /// </summary>
    public IReadOnlyList<TickChange> Plan(IReadOnlyList<AlertState> candidates, DecisionContext context, DateTimeOffset now)
    {
        var changes = new Dictionary<string, PlannedChange>(StringComparer.Ordinal);
        var before = candidates.ToDictionary(c => c.Key, StringComparer.Ordinal);
        foreach (var state in candidates)
        {
            if (state.AlertJson is null)
            {
                continue;
            }

            var alert = AlertCloudEvent.FromJson(state.AlertJson);
            var step = new TickStep(state, alert, Settings.Routes.Match(alert.Labels), context, now);
            var plan = First(state.Dlq is null ? _alarmTick : _dlqTick, step) ?? TickPlan.Unchanged(state);
            if (plan.Notifications.Count > 0 || plan.After != state)
            {
                changes[state.Key] = new PlannedChange(plan.After with { LastReason = plan.Reason ?? plan.After.LastReason }, alert, [.. plan.Notifications], step.Routes);
            }
        }

        Grouping.Flush(candidates, changes, context, now);
        return [.. changes.Select(c =>
        {
            var (sent, holds, _) = _incidents.Fold(c.Value.Notifications);
            return new TickChange(before[c.Key], WithDueAt(c.Value.After with { Version = before[c.Key].Version + 1, UpdatedAt = now }, c.Value.Routes), c.Value.Alert, sent) { IncidentHolds = holds };
        })];
    }

    /// <summary>When the Tick next needs this alert: the earliest time any stage asks for (null: never).</summary>
    public AlertState WithDueAt(AlertState s, IReadOnlyList<MatchedRoute> routes)
    {
        DateTimeOffset? due = null;
        foreach (var rule in s.Dlq is null ? _alarmDue : _dlqDue)
        {
            if (rule(s, routes) is { } t && (due is null || t < due))
            {
                due = t;
            }
        }

        return s with { DueAt = due };
    }

    private static Decision First(EventRule[] rules, EventStep step)
    {
        foreach (var rule in rules)
        {
            if (rule(step) is { } decision)
            {
                return decision;
            }
        }

        throw new InvalidOperationException("no rule decided: the last event rule must always decide");
    }

    private static TickPlan? First(TickRule[] rules, TickStep step)
    {
        foreach (var rule in rules)
        {
            if (rule(step) is { } plan)
            {
                return plan;
            }
        }

        return null;
    }
}
