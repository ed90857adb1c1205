using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;
using OpsPipeline.Core.Silences;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>One delivery that went out, when, and whether Decide or the Tick sent it.</summary>
internal sealed record Sent(DateTimeOffset At, string By, Delivery Delivery)
{
    public override string ToString() => $"{At:HH:mm:ss} {By}: {Delivery.Receiver} {Delivery.Action} {Delivery.AlertKey}";
}

/// <summary>
/// Decide and Tick the way DecideFunction and TickFunction drive them, over an in-memory state table with
/// conditional (versioned) writes, and a clock that runs the Tick at every minute boundary it passes
/// (as <c>opsctl local --clock event</c> does). Collects every delivery that went out.
/// </summary>
internal sealed class InMemoryPipeline
{
    private readonly Dictionary<string, AlertState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InhibitionSource> _sources = new(StringComparer.Ordinal);
    private readonly List<Sent> _sent = [];

    public InMemoryPipeline(string yaml, DateTimeOffset? start = null)
    {
        Config = ConfigLoader.Load(yaml, "test.yaml");
        Decider = new AlertDecider(Config, RouteTree.From(Config));
        Ticker = new AlertTicker(Decider);
        Now = start ?? AlarmEvents.T0.AddSeconds(-5);
    }

    public PipelineConfig Config { get; }

    public AlertDecider Decider { get; }

    public AlertTicker Ticker { get; }

    public DateTimeOffset Now { get; private set; }

    public List<Silence> Silences { get; } = [];

    public IReadOnlyList<Sent> Sent => _sent;

    public IReadOnlyCollection<InhibitionSource> Sources => _sources.Values;

    /// <summary>How many times the Tick found candidates and planned.</summary>
    public int TicksWithWork { get; private set; }

    public AlertState? State(string alarmName) => _states.GetValueOrDefault(AlarmEvents.KeyOf(alarmName));

    public Alert Alert(string alarmName, string state, DateTimeOffset at, string? id = null, DateTimeOffset? receivedAt = null, string? replayName = null) =>
        AlarmEvents.Alert(Config, alarmName, state, at, id, receivedAt, replayName);

    /// <summary>Builds and applies one transition; the clock moves to its event time first (never backwards).</summary>
    public Decision Apply(string alarmName, string state, DateTimeOffset at, string? id = null, DateTimeOffset? receivedAt = null) =>
        Apply(Alert(alarmName, state, at, id, receivedAt));

    /// <summary>Runs the Ticks up to the event's time, then DecideFunction's read-decide-conditional-write loop.</summary>
    public Decision Apply(Alert alert)
    {
        AdvanceTo(alert.EventTime);
        for (var attempt = 1; ; attempt++)
        {
            var (stored, context) = Read(alert);
            var decision = Decider.Decide(alert, stored, context, Now, AlertCloudEvent.ToJsonString(alert));
            if (Commit(alert, decision, stored))
            {
                return decision;
            }

            Assert.True(attempt < 5, "a single-threaded Decide lost its own write");
        }
    }

    /// <summary>
    /// N workers run Decide for their events at once: each step of <paramref name="schedule"/> moves one worker on
    /// (read, then decide and write); a write on a version someone else already replaced fails and that worker
    /// reads again, as DecideFunction does. Workers the schedule leaves unfinished then finish in turn.
    /// </summary>
    public IReadOnlyList<Decision> ApplyInterleaved(IReadOnlyList<Alert> alerts, IEnumerable<int> schedule)
    {
        AdvanceTo(alerts.Max(a => a.EventTime));
        var reads = new (AlertState? Stored, DecisionContext Context)?[alerts.Count];
        var done = new Decision?[alerts.Count];
        void Step(int i)
        {
            if (done[i] is not null)
            {
                return;
            }

            if (reads[i] is not { } read)
            {
                reads[i] = Read(alerts[i]);
                return;
            }

            var decision = Decider.Decide(alerts[i], read.Stored, read.Context, Now, AlertCloudEvent.ToJsonString(alerts[i]));
            reads[i] = null;
            if (Commit(alerts[i], decision, read.Stored))
            {
                done[i] = decision;
            }
        }

        foreach (var i in schedule)
        {
            Step(i % alerts.Count);
        }

        while (done.Any(d => d is null))
        {
            for (var i = 0; i < alerts.Count; i++)
            {
                Step(i);
            }
        }

        return [.. done.Select(d => d!)];
    }

    /// <summary>Runs the Tick at every minute boundary after the current time up to <paramref name="until"/>, then sets the clock there.</summary>
    public void AdvanceTo(DateTimeOffset until)
    {
        var next = new DateTimeOffset(Now.UtcTicks - (Now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(1);
        for (; next <= until; next = next.AddMinutes(1))
        {
            Now = next;
            Tick();
        }

        if (until > Now)
        {
            Now = until;
        }
    }

    public void AdvanceBy(TimeSpan span) => AdvanceTo(Now + span);

    /// <summary>TickFunction: candidates due within the lookahead, plan, write each change conditionally, render what was written.</summary>
    public IReadOnlyList<Delivery> Tick()
    {
        var candidates = _states.Values.Where(s => s.DueAt is { } due && due <= Now + Ticker.Lookahead).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        TicksWithWork++;
        var context = new DecisionContext([.. Silences], [.. _sources.Values]);
        var written = Ticker.Plan(candidates, context, Now).Where(c => TryWrite(c.After, c.Before.Version)).ToList();
        var deliveries = Ticker.Render(written);
        _sent.AddRange(deliveries.Select(d => new Sent(Now, "tick", d)));
        return deliveries;
    }

    /// <summary>Deliveries as (receiver, action, alert name or group key) for exact comparisons.</summary>
    public IReadOnlyList<(string Receiver, string Action, string Alert)> Deliveries(string? by = null) =>
        [.. _sent.Where(s => by is null || s.By == by).Select(s => (s.Delivery.Receiver, s.Delivery.Action, NameOf(s.Delivery.AlertKey)))];

    private static string NameOf(string alertKey) =>
        alertKey.LastIndexOf(":alarm:", StringComparison.Ordinal) is var i and >= 0 ? alertKey[(i + ":alarm:".Length)..] : alertKey;

    private (AlertState? Stored, DecisionContext Context) Read(Alert alert)
    {
        // DecideFunction reads the firing sources only for inhibit targets.
        var sources = Decider.NeedsSources(alert.Labels) ? [.. _sources.Values] : Array.Empty<InhibitionSource>();
        return (_states.GetValueOrDefault(StorageKey(alert)), new DecisionContext([.. Silences], sources));
    }

    private bool Commit(Alert alert, Decision decision, AlertState? stored)
    {
        if (decision.NewState is not null)
        {
            if (!TryWrite(decision.NewState, stored?.Version ?? 0, StorageKey(alert)))
            {
                return false;
            }

            if (decision.SourceUpdate is { } update && alert.ReplayName is null)
            {
                if (update.Firing)
                {
                    _sources[update.Source.AlertKey] = update.Source;
                }
                else
                {
                    _sources.Remove(update.Source.AlertKey);
                }
            }
        }

        _sent.AddRange(decision.Deliveries.Select(d => new Sent(Now, alert.ReplayName is null ? "decide" : "drill", d)));
        return true;
    }

    /// <summary>A drill's state is kept apart per replay name, so a replay never touches production state.</summary>
    public static string StorageKey(Alert alert) => alert.ReplayName is null ? alert.Key : $"drill/{alert.ReplayName}/{alert.Key}";

    private bool TryWrite(AlertState state, long expectedVersion, string? storageKey = null)
    {
        var key = storageKey ?? state.Key;
        var current = _states.TryGetValue(key, out var s) ? s.Version : 0;
        if (current != expectedVersion)
        {
            return false;
        }

        Assert.Equal(expectedVersion + 1, state.Version);
        _states[key] = state;
        return true;
    }
}
