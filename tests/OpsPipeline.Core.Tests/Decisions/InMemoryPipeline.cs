using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Routing;
using OpsPipeline.Core.Silences;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>One delivery that went out, when, and whether Decide or the Tick sent it.</summary>
internal sealed record Sent(DateTimeOffset At, string By, Delivery Delivery)
{
    public override string ToString() => $"{At:HH:mm:ss} {By}: {Delivery.Receiver} {Delivery.Action} {Delivery.AlertKey}";
}

/// <summary>
/// Core's own Decide and Tick use cases, the ones the Lambda handlers call, over in-memory ports (<see cref="InMemoryPorts"/>),
/// and a clock that runs the Tick at every minute boundary it passes (as <c>opsctl local --clock event</c> does).
/// Collects every delivery that went out. It re-implements nothing of the pipeline.
/// </summary>
internal sealed class InMemoryPipeline
{
    private readonly Dictionary<string, AlertState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InhibitionSource> _sources = new(StringComparer.Ordinal);
    private readonly List<Sent> _sent = [];
    private readonly List<Reaction> _reacted = [];
    private readonly Interleaver _turns = new();
    private readonly RunClock _clock;
    private readonly InMemoryAlertStates _store;
    private readonly DecideUseCase _decide;
    private readonly TickUseCase _tick;

    public InMemoryPipeline(string yaml, DateTimeOffset? start = null)
    {
        Config = ConfigLoader.Load(yaml, "test.yaml");
        Pipeline = new AlertPipeline(Config, RouteTree.From(Config));
        _clock = new RunClock(start ?? AlarmEvents.T0.AddSeconds(-5));
        _store = new InMemoryAlertStates(_states, _sources, _turns);
        var silences = new InMemorySilences(Silences);
        var ports = new PipelinePorts(_store, silences, silences, new InMemoryBudgets(), Reports, Reports, Reports, ReactionLedger, Reports, Reports, _clock);
        var renderer = new NotificationRenderer(Config);
        _decide = new DecideUseCase(Config, Pipeline, renderer, ports);
        _tick = new TickUseCase(Config, Pipeline, renderer, ports);
    }

    public PipelineConfig Config { get; }

    public AlertPipeline Pipeline { get; }

    public DateTimeOffset Now => _clock.Now;

    public List<Silence> Silences { get; } = [];

    /// <summary>Drill reports, deferred deliveries and what the flood guard held.</summary>
    public InMemoryReports Reports { get; } = new();

    public IReadOnlyList<Sent> Sent => _sent;

    /// <summary>The reactions' hourly counts across alerts.</summary>
    public InMemoryReactionLedger ReactionLedger { get; } = new();

    /// <summary>Every reaction a decision handed to the state machine to start, in order.</summary>
    public IReadOnlyList<Reaction> Reacted => _reacted;

    /// <summary>Makes the next <paramref name="count"/> commits of alert state fail.</summary>
    public void FailNextCommits(int count) => _store.FailingWrites = count;

    public IReadOnlyCollection<InhibitionSource> Sources => _sources.Values;

    /// <summary>Every inhibition source update Decide wrote, in order.</summary>
    public IReadOnlyList<SourceUpdate> SourceUpdates => _store.SourceUpdates;

    /// <summary>How many alert states were written (by Decide and the Tick).</summary>
    public int Writes => _store.Writes;

    /// <summary>The alert states and group records, for tests that look at a group's record or make its reads fail.</summary>
    public InMemoryAlertStates Store => _store;

    /// <summary>Every line of every Tick's path, in order.</summary>
    public List<string> TickPath { get; } = [];

    /// <summary>How many times the Tick found candidates and planned.</summary>
    public int TicksWithWork { get; private set; }

    public AlertState? State(string alarmName) => _states.GetValueOrDefault(AlarmEvents.KeyOf(alarmName));

    public Alert Alert(string alarmName, string state, DateTimeOffset at, string? id = null, DateTimeOffset? receivedAt = null, string? replayName = null) =>
        AlarmEvents.Alert(Config, alarmName, state, at, id, receivedAt, replayName);

    /// <summary>Builds and applies one transition; the clock moves to its event time first (never backwards).</summary>
    public DecideResult Apply(string alarmName, string state, DateTimeOffset at, string? id = null, DateTimeOffset? receivedAt = null) =>
        Apply(Alert(alarmName, state, at, id, receivedAt));

    /// <summary>Runs the Ticks up to the event's time, then Decide.</summary>
    public DecideResult Apply(Alert alert)
    {
        AdvanceTo(alert.EventTime);
        return Record(alert, _decide.DecideAsync(alert, CancellationToken.None).GetAwaiter().GetResult());
    }

    /// <summary>
    /// N workers run Decide for their events at once: each step of <paramref name="schedule"/> lets one worker on to
    /// its next read or write of the alert's state; a write on a version someone else already replaced fails and that
    /// worker reads again, as Decide does. Workers the schedule leaves unfinished then finish in turn.
    /// </summary>
    public IReadOnlyList<DecideResult> ApplyInterleaved(IReadOnlyList<Alert> alerts, IEnumerable<int> schedule)
    {
        AdvanceTo(alerts.Max(a => a.EventTime));
        var results = _turns.Run([.. alerts.Select(a => (Func<Task<DecideResult>>)(() => AsTheStateMachineAsync(a)))], schedule);
        return [.. results.Select((r, i) => Record(alerts[i], r))];
    }

    /// <summary>Decide as the state machine runs it: a StateConflictException is retried, three times (the ASL's Retry).</summary>
    private async Task<DecideResult> AsTheStateMachineAsync(Alert alert)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await _decide.DecideAsync(alert, CancellationToken.None).ConfigureAwait(false);
            }
            catch (StateConflictException) when (retry < 3)
            {
            }
        }
    }

    /// <summary>Runs the Tick at every minute boundary after the current time up to <paramref name="until"/>, then sets the clock there.</summary>
    public void AdvanceTo(DateTimeOffset until)
    {
        var next = new DateTimeOffset(Now.UtcTicks - (Now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(1);
        for (; next <= until; next = next.AddMinutes(1))
        {
            _clock.Now = next;
            Tick();
        }

        if (until > Now)
        {
            _clock.Now = until;
        }
    }

    public void AdvanceBy(TimeSpan span) => AdvanceTo(Now + span);

    /// <summary>The Tick use case at the current time; what it sends is recorded as the Tick's.</summary>
    public IReadOnlyList<Delivery> Tick()
    {
        if (_states.Values.Any(s => s.DueAt is { } due && due <= Now + Pipeline.Lookahead))
        {
            TicksWithWork++;
        }

        var result = _tick.TickAsync(CancellationToken.None).GetAwaiter().GetResult();
        TickPath.AddRange(result.Path);
        _sent.AddRange(result.Deliveries.Select(d => new Sent(Now, "tick", d)));
        return result.Deliveries;
    }

    /// <summary>Deliveries as (receiver, action, alert name or group key) for exact comparisons.</summary>
    public IReadOnlyList<(string Receiver, string Action, string Alert)> Deliveries(string? by = null) =>
        [.. _sent.Where(s => by is null || s.By == by).Select(s => (s.Delivery.Receiver, s.Delivery.Action, NameOf(s.Delivery.AlertKey)))];

    private static string NameOf(string alertKey) =>
        alertKey.LastIndexOf(":alarm:", StringComparison.Ordinal) is var i and >= 0 ? alertKey[(i + ":alarm:".Length)..] : alertKey;

    private DecideResult Record(Alert alert, DecideResult result)
    {
        _sent.AddRange(result.Deliveries.Select(d => new Sent(Now, alert.ReplayName is null ? "decide" : "drill", d)));
        _reacted.AddRange(result.Reactions);
        return result;
    }
}
