using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Ports;
using OpsPipeline.Core.Silences;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// Core's ports in memory, with the contracts the DynamoDB adapters keep: conditional (versioned) writes, drill state
/// kept apart per replay name and never due, sources added and removed by transition. Each read and write of alert
/// state first waits for its worker's turn when an <see cref="Interleaver"/> runs several at once.
/// </summary>
internal sealed class InMemoryAlertStates(Dictionary<string, AlertState> states, Dictionary<string, InhibitionSource> sources, Interleaver turns, string? drill = null) : IAlertStateStore
{
    /// <summary>
    /// Each group's record: its last notice, its grid, its members told firing (by <see cref="GroupNotices.MemberId"/>,
    /// as the table keeps them) and the ones it names (shared by production and drills, as the table's GROUP# items are).
    /// </summary>
    public Dictionary<string, (GroupNotice Notice, HashSet<string> Told, IReadOnlyList<FiringMember> Named)> Groups { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Set to fail the Tick's read of group records as the table fails a read still throttled after its retries.</summary>
    public bool GroupReadsFail { get; set; }

    /// <summary>How many times the Tick read group records, and how many records it asked for.</summary>
    public List<int> GroupReads { get; } = [];

    public async Task<(AlertState? State, IReadOnlyList<InhibitionSource> Sources)> GetAsync(string alertKey, bool withSources, CancellationToken ct)
    {
        var read = await ReadAsync(alertKey, withSources, [], ct).ConfigureAwait(false);
        return (read.State, read.Sources);
    }

    public async Task<AlertRead> ReadAsync(string alertKey, bool withSources, IReadOnlyList<string> groupIds, CancellationToken ct)
    {
        await turns.TurnAsync().ConfigureAwait(false);
        var notified = groupIds.Where(Groups.ContainsKey).ToDictionary(g => g, g => Groups[g].Notice, StringComparer.Ordinal);
        return new AlertRead(states.GetValueOrDefault(StorageKey(alertKey)), withSources ? [.. sources.Values] : [], notified);
    }

    public Task NoteGroupsAsync(IReadOnlyList<GroupUpdate> updates, CancellationToken ct)
    {
        foreach (var update in updates)
        {
            var (notice, told, named) = Groups.TryGetValue(update.GroupId, out var was) ? was : (new GroupNotice(null, null), new HashSet<string>(StringComparer.Ordinal), []);
            told.UnionWith(update.Told.Select(GroupNotices.MemberId));
            told.ExceptWith(update.Untold.Select(GroupNotices.MemberId));
            var notifiedAt = update.Sent && !(notice.NotifiedAt > update.At) ? update.At : notice.NotifiedAt;
            Groups[update.GroupId] = (new GroupNotice(notifiedAt, told.Count == 0 ? null : notice.Anchor ?? update.GridStart), told, update.Named ?? named);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, GroupMembers>> GroupMembersAsync(IReadOnlyList<string> groupIds, CancellationToken ct)
    {
        GroupReads.Add(groupIds.Count);
        if (GroupReadsFail)
        {
            throw new StateConflictException("ops-pipeline: reads still throttled after 5 attempts (unprocessed keys)");
        }

        return Task.FromResult<IReadOnlyDictionary<string, GroupMembers>>(groupIds.Where(Groups.ContainsKey).Distinct().ToDictionary(
            g => g, g => new GroupMembers(Groups[g].Told.ToHashSet(StringComparer.Ordinal), Groups[g].Named), StringComparer.Ordinal));
    }

    /// <summary>Every source update written, in order.</summary>
    public List<SourceUpdate> SourceUpdates { get; } = [];

    /// <summary>How many alert states were written.</summary>
    public int Writes { get; private set; }

    /// <summary>How many of the next writes fail (as DynamoDB failing the commit): the decision is then lost and retried whole.</summary>
    public int FailingWrites { get; set; }

    public async Task<bool> TryWriteAsync(AlertState state, long expectedVersion, CancellationToken ct)
    {
        await turns.TurnAsync().ConfigureAwait(false);
        if (FailingWrites > 0)
        {
            FailingWrites--;
            throw new InvalidOperationException("the commit failed (injected)");
        }

        var key = StorageKey(state.Key);
        if ((states.TryGetValue(key, out var s) ? s.Version : 0) != expectedVersion)
        {
            return false;
        }

        Assert.Equal(expectedVersion + 1, state.Version);
        states[key] = state;
        Writes++;
        return true;
    }

    public Task UpdateSourceAsync(SourceUpdate update, CancellationToken ct)
    {
        SourceUpdates.Add(update);
        if (update.Firing)
        {
            sources[update.Source.AlertKey] = update.Source;
        }
        else
        {
            sources.Remove(update.Source.AlertKey);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<InhibitionSource>> SourcesAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<InhibitionSource>>([.. sources.Values]);

    public Task<IReadOnlyList<AlertState>> DueAsync(DateTimeOffset until, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<AlertState>>([.. states.Where(s => !s.Key.StartsWith("drill/", StringComparison.Ordinal) && s.Value.DueAt is { } due && due <= until)
            .Select(s => s.Value).OrderBy(s => s.Key, StringComparer.Ordinal)]);

    public IAlertStateStore ForDrill(string replayName) => new InMemoryAlertStates(states, sources, turns, replayName) { Groups = Groups };

    public Task<IReadOnlyList<AlertState>> AllAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<AlertState>>([.. states.Values]);

    /// <summary>A drill's state is kept apart per replay name, so a replay never touches production state.</summary>
    public string StorageKey(string alertKey) => drill is null ? alertKey : $"drill/{drill}/{alertKey}";
}

internal sealed class InMemorySilences(List<Silence> silences) : ISilenceStore
{
    public Task<IReadOnlyList<Silence>> ListAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<Silence>>([.. silences]);

    public Task PutAsync(Silence silence, CancellationToken ct)
    {
        silences.Add(silence);
        return Task.CompletedTask;
    }

    public Task<bool> ExpireAsync(string id, DateTimeOffset now, CancellationToken ct) => Task.FromResult(silences.RemoveAll(s => s.Id == id) > 0);
}

internal sealed class InMemoryBudgets : IBudgetStore
{
    private readonly Dictionary<string, BudgetState> _states = new(StringComparer.Ordinal);

    public Task<BudgetState> GetAsync(string slo, CancellationToken ct) => Task.FromResult(_states.GetValueOrDefault(slo) ?? new BudgetState { Slo = slo });

    public Task<bool> TryWriteAsync(BudgetState state, CancellationToken ct)
    {
        var current = _states.GetValueOrDefault(state.Slo)?.Version ?? 0;
        if (current != state.Version)
        {
            return Task.FromResult(false);
        }

        _states[state.Slo] = state with { Version = state.Version + 1 };
        return Task.FromResult(true);
    }

    public async Task<BudgetState> UpdateAsync(string slo, Func<BudgetState, BudgetState> change, CancellationToken ct)
    {
        var current = await GetAsync(slo, ct).ConfigureAwait(false);
        var changed = change(current);
        return ReferenceEquals(changed, current) || await TryWriteAsync(changed, ct).ConfigureAwait(false) ? changed : throw new InvalidOperationException("single-threaded budget write lost");
    }
}

internal sealed class InMemoryReports : IDrillReports, IDeferredDeliveries, IFloodLedger, IMetrics, IStoreFaults
{
    public List<DrillReportRow> Drills { get; } = [];

    public List<(Delivery Delivery, DateTimeOffset RetryAt)> Deferred { get; } = [];

    public Dictionary<string, int> HeldFor { get; } = new(StringComparer.Ordinal);

    public Task AppendAsync(DrillReportRow row, DateTimeOffset now, CancellationToken ct)
    {
        Drills.Add(row);
        return Task.CompletedTask;
    }

    public Task PutAsync(Delivery delivery, DateTimeOffset retryAt, CancellationToken ct)
    {
        Deferred.Add((delivery, retryAt));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Delivery>> TakeDueAsync(DateTimeOffset until, string taker, CancellationToken ct)
    {
        var due = Deferred.Where(d => d.RetryAt <= until).ToList();
        Deferred.RemoveAll(due.Contains);
        return Task.FromResult<IReadOnlyList<Delivery>>([.. due.Select(d => d.Delivery)]);
    }

    /// <summary>No cap per receiver here: Deliver is not run in memory.</summary>
    public Task<bool> TryCountAsync(string receiver, DateTimeOffset now, int? cap, CancellationToken ct) => Task.FromResult(true);

    public Task HoldAsync(string receiver, bool forAlert, int count, DateTimeOffset now, CancellationToken ct)
    {
        HeldFor[receiver] = HeldFor.GetValueOrDefault(receiver) + count;
        return Task.CompletedTask;
    }

    /// <summary>The flood notices are the Deliver-side guard's (tested with the local stack): none are told here.</summary>
    Task<IReadOnlyList<FloodTally>> IFloodLedger.TakeDueAsync(DateTimeOffset until, CancellationToken ct) => Task.FromResult<IReadOnlyList<FloodTally>>([]);

    public void Count(string name, params (string Name, string Value)[] dimensions)
    {
    }

    public void Emit(string name, double value, string unit, params (string Name, string Value)[] dimensions)
    {
    }

    /// <summary>Memory never fails: any exception is a bug and reaches the test.</summary>
    public bool IsStoreFailure(Exception e) => false;

    public bool IsTransient(Exception e) => false;

    public string Describe(Exception e) => e.GetType().Name;
}

/// <summary>The reactions' hourly counts across alerts, as the DynamoDB ledger keeps them: a set of run ids per reaction and hour.</summary>
internal sealed class InMemoryReactionLedger : IReactionLedger
{
    public Dictionary<(string Reaction, DateTimeOffset Hour), HashSet<string>> Runs { get; } = [];

    public Task<bool> TryCountAsync(string reaction, string runId, DateTimeOffset now, int cap, CancellationToken ct)
    {
        var hour = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
        var runs = Runs.TryGetValue((reaction, hour), out var r) ? r : Runs[(reaction, hour)] = new HashSet<string>(StringComparer.Ordinal);
        if (runs.Contains(runId))
        {
            return Task.FromResult(true);
        }

        if (runs.Count >= cap)
        {
            return Task.FromResult(false);
        }

        runs.Add(runId);
        return Task.FromResult(true);
    }

    /// <summary>The runs the state machine recorded (tests put them here as its putItem task would), by execution.</summary>
    public Dictionary<string, (ReactionRunRecord Run, DateTimeOffset DueAt, string? Told)> Started { get; } = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<ReactionRunRecord>> RunsDueAsync(DateTimeOffset until, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ReactionRunRecord>>([.. Started.Values.Where(r => r.Told is null && r.DueAt <= until).Select(r => r.Run)]);

    public Task<bool> TryTellOutcomeAsync(ReactionRunRecord run, ReactionOutcome outcome, DateTimeOffset now, CancellationToken ct)
    {
        if (!Started.TryGetValue(run.Execution, out var stored) || stored.Told is not null)
        {
            return Task.FromResult(false);
        }

        Started[run.Execution] = stored with { Told = outcome.Word };
        return Task.FromResult(true);
    }

    public Task CheckAgainAsync(ReactionRunRecord run, DateTimeOffset at, CancellationToken ct)
    {
        if (Started.TryGetValue(run.Execution, out var stored) && stored.Told is null)
        {
            Started[run.Execution] = stored with { DueAt = at };
        }

        return Task.CompletedTask;
    }

    public Task<bool> TryRecordEndAsync(string execution, string recorded, string? error, string? cause, DateTimeOffset now, CancellationToken ct)
    {
        if (!Started.TryGetValue(execution, out var stored) || stored.Told is not null || stored.Run.Recorded != ReactionRecorded.Started)
        {
            return Task.FromResult(false);
        }

        Started[execution] = (stored.Run with { Recorded = recorded, Error = error, Cause = cause }, now, null);
        return Task.FromResult(true);
    }
}

/// <summary>The clock of an in-memory run: moved on by the run, never by the wall.</summary>
internal sealed class RunClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// Several Decides at once, in a chosen order: each worker waits at every read and write of alert state until the
/// schedule gives it a turn, so a test chooses exactly which read each write races. Outside a run, no one waits.
/// </summary>
internal sealed class Interleaver
{
    private readonly AsyncLocal<int> _worker = new();
    private readonly List<SemaphoreSlim> _turns = [];
    private readonly SemaphoreSlim _arrived = new(0);

    public async Task TurnAsync()
    {
        if (_worker.Value <= 0)
        {
            return;
        }

        var turn = _turns[_worker.Value - 1];
        _arrived.Release();
        await turn.WaitAsync().ConfigureAwait(false);
    }

    /// <summary>Runs the workers: each step lets one worker on to its next read or write (or to its end).</summary>
    public IReadOnlyList<T> Run<T>(IReadOnlyList<Func<Task<T>>> workers, IEnumerable<int> schedule)
    {
        var tasks = new Task<T>[workers.Count];
        for (var i = 0; i < workers.Count; i++)
        {
            _turns.Add(new SemaphoreSlim(0));
            _worker.Value = i + 1;
            tasks[i] = workers[i]();
            tasks[i].ContinueWith(_ => _arrived.Release(), TaskScheduler.Default);
            _arrived.Wait(); // at its first read
        }

        _worker.Value = 0;
        void Step(int i)
        {
            if (!tasks[i].IsCompleted)
            {
                _turns[i].Release();
                _arrived.Wait();
            }
        }

        foreach (var i in schedule)
        {
            Step(i % workers.Count);
        }

        while (tasks.Any(t => !t.IsCompleted))
        {
            for (var i = 0; i < workers.Count; i++)
            {
                Step(i);
            }
        }

        _turns.Clear();
        return [.. tasks.Select(t => t.GetAwaiter().GetResult())];
    }
}
