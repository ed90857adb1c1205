using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Stages.Reactions;

/// <summary>
/// After a decision: the reactions an alarm's transition starts. A reaction whose <c>on</c> is this transition (a new
/// firing episode, or a resolve after firing) and whose matchers match runs once per alert and transition (recorded
/// in the alert's state, committed with it), not within its cooldown of its last run for the alert, not while the
/// alert is muted or flapping unless <c>evenWhenMuted</c>. A drill runs none: it keeps what would have run, with its
/// input, for the drill report. Each reaction considered is one line of the decision's path.
/// </summary>
public sealed class ReactionStage(PipelineConfig config, Func<Alert, DecisionContext, DateTimeOffset, Suppression?> muted)
{
    public Decision React(EventStep step, Decision decision)
    {
        var alert = step.Alert;
        if (config.Reactions.Count == 0 || alert.Source != AlertSource.CloudWatch || step.Next is null || !step.Changed || decision.NewState is not { } next)
        {
            return decision;
        }

        var on = alert.Status switch { AlertStatus.Firing => ReactionOn.Firing, AlertStatus.Resolved => ReactionOn.Resolved, _ => (ReactionOn?)null };
        var candidates = config.Reactions.Where(r => r.On == on && r.Match.Matches(alert.Labels)).ToList();
        if (candidates.Count == 0)
        {
            return decision;
        }

        var drill = alert.ReplayName is not null;
        var runs = next.ReactionRuns.ToList();
        var started = new List<Reaction>();
        var path = new List<string>();
        foreach (var reaction in candidates)
        {
            var last = runs.LastOrDefault(r => r.Name == reaction.Name);
            if (WhyNot(reaction, step, decision, next, last) is { } why)
            {
                path.Add($"reaction {reaction.Name}: not run: {why}");
                continue;
            }

            var run = ReactionInput.Build(reaction, alert, step.Now);
            started.Add(run);
            runs.Add(new ReactionRun(reaction.Name, alert.StateTimestamp, step.Now));
            path.Add(drill
                ? $"reaction {reaction.Name}: drill: would run with input {run.Input}"
                : $"reaction {reaction.Name}: runs (first run this episode{(last is null ? string.Empty : $"; last ran {DecisionText.Format(last.RanAt)}, cooldown {DecisionText.Duration(reaction.Cooldown)} passed")})");
        }

        return decision with
        {
            NewState = next with { ReactionRuns = [.. runs.TakeLast(ReactionRun.Remembered)] },
            Reactions = drill ? [] : started,
            WouldReact = drill ? started : [],
            Path = [.. decision.Path, .. path],
        };
    }

    /// <summary>
    /// The decision without the reactions the hourly cap refused (<paramref name="refused"/>): not started, not recorded
    /// as run (so no cooldown starts), and the path says why.
    /// </summary>
    /// <remarks>The alert's own notifications in this decision say the cap stopped it (no extra message in a storm).</remarks>
    public Decision Capped(Decision decision, IReadOnlyList<Reaction> refused, DateTimeOffset now)
    {
        if (refused.Count == 0 || decision.NewState is not { } next)
        {
            return decision;
        }

        var names = refused.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var hour = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero);
        var path = decision.Path.Select(line => names.FirstOrDefault(n => line.StartsWith($"reaction {n}: runs", StringComparison.Ordinal)) is { } name
            ? $"reaction {name}: not run: maxPerHour {Find(name).MaxPerHour} reached across alerts in the hour from {DecisionText.Format(hour)}"
            : line).ToList();
        return decision with
        {
            NewState = WithoutRuns(next, refused, now),
            Reactions = [.. decision.Reactions.Where(r => !names.Contains(r.Name))],
            CappedReactions = refused,
            Path = path,
        };
    }

    /// <summary>
    /// The reactions a Tick's trigger starts: an alert that fired while muted (silenced, inhibited, in a mute interval)
    /// or flapping, released by the Tick still firing, reacts now, as if it had just fired unmuted; one that already
    /// ran for this transition (the Decide that saw it fire) does not run again, and cooldowns hold. Drills run none.
    /// </summary>
    public (AlertState After, IReadOnlyList<Reaction> Reactions, IReadOnlyList<string> Path) OnTickTrigger(Alert alert, AlertState after, bool triggers, DateTimeOffset now)
    {
        if (!triggers || config.Reactions.Count == 0 || alert.Source != AlertSource.CloudWatch || alert.ReplayName is not null || alert.Status != AlertStatus.Firing || after.Flapping)
        {
            return (after, [], []);
        }

        var runs = after.ReactionRuns.ToList();
        var started = new List<Reaction>();
        var path = new List<string>();
        foreach (var reaction in config.Reactions.Where(r => r.On == ReactionOn.Firing && r.Match.Matches(alert.Labels)))
        {
            var last = runs.LastOrDefault(r => r.Name == reaction.Name);
            if (AlreadyRan(last, alert.StateTimestamp) is not null)
            {
                continue; // ran when it fired: nothing new to say
            }

            if (Cooling(reaction, last, now) is { } cooling)
            {
                path.Add($"reaction {reaction.Name}: not run on release: {cooling}");
                continue;
            }

            started.Add(ReactionInput.Build(reaction, alert, now));
            runs.Add(new ReactionRun(reaction.Name, alert.StateTimestamp, now));
            path.Add($"reaction {reaction.Name}: runs (released still firing, first run this episode)");
        }

        return (after with { ReactionRuns = [.. runs.TakeLast(ReactionRun.Remembered)] }, started, path);
    }

    /// <summary>The state without the runs the hourly cap refused at <paramref name="now"/> (no cooldown starts for them).</summary>
    public static AlertState WithoutRuns(AlertState state, IReadOnlyList<Reaction> refused, DateTimeOffset now)
    {
        var names = refused.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        return state with { ReactionRuns = [.. state.ReactionRuns.Where(r => !(names.Contains(r.Name) && r.RanAt == now))] };
    }

    /// <summary>The reaction's hourly cap across alerts.</summary>
    public int CapOf(Reaction reaction) => Find(reaction.Name).MaxPerHour;

    private ReactionConfig Find(string name) => config.Reactions.First(r => r.Name == name);

    private string? WhyNot(ReactionConfig reaction, EventStep step, Decision decision, AlertState next, ReactionRun? last)
    {
        if (AlreadyRan(last, step.Alert.StateTimestamp) is { } ran)
        {
            return ran;
        }

        if (!reaction.EvenWhenMuted)
        {
            if (next.Flapping)
            {
                return "the alert is flapping";
            }

            var mute = step.Alert.Status == AlertStatus.Firing
                ? (decision.Kind == DecisionKinds.Suppressed ? next.Suppressed : null)
                : muted(step.Alert, step.Context, step.Now);
            if (mute is not null)
            {
                return $"the alert is {mute.What}";
            }
        }

        return Cooling(reaction, last, step.Now);
    }

    /// <summary>Why not: the reaction's last run was for this very transition (a duplicate, a retry, a replay).</summary>
    private static string? AlreadyRan(ReactionRun? last, DateTimeOffset transitionAt) =>
        last is not null && last.TransitionAt == transitionAt ? $"already ran for this transition at {DecisionText.Format(last.RanAt)}" : null;

    /// <summary>Why not: its last run for the alert is within its cooldown.</summary>
    private static string? Cooling(ReactionConfig reaction, ReactionRun? last, DateTimeOffset now) =>
        last is not null && last.RanAt + reaction.Cooldown > now ? $"cooldown until {DecisionText.Format(last.RanAt + reaction.Cooldown)}" : null;
}
