using System.Text.Json;
using OpsPipeline.Core.Configuration;

namespace OpsCtl.Local;

/// <summary>How `opsctl local` takes "now": from each event (deterministic replays) or from the wall clock.</summary>
public enum ClockMode
{
    Event,
    Wall,
}

/// <summary>The options of one `opsctl local` run.</summary>
public sealed record LocalRunOptions
{
    public required PipelineConfig Config { get; init; }

    public required IReadOnlyList<EventInput> Inputs { get; init; }

    public ClockMode Clock { get; init; } = ClockMode.Event;

    public bool Explain { get; init; }

    public TextWriter Out { get; init; } = Console.Out;

    public TextWriter Err { get; init; } = Console.Error;

    /// <summary>Keep the local state here across runs (see LocalStackOptions.StateDir).</summary>
    public string? StateDir { get; init; }

    /// <summary>When the inputs are a drill: the replay name whose report the run returns.</summary>
    public string? ReplayName { get; init; }

    /// <summary>Stack settings for tests (delivery timeout, planted secret); Config, Clock, Log and StateDir come from these options.</summary>
    public LocalStackOptions? Stack { get; init; }

    /// <summary>Lets a caller (tests) look at the stack (table, logs) after the last event, before it stops.</summary>
    public Func<LocalStack, Task>? InspectAsync { get; init; }

    /// <summary>Lets a caller (tests) script receiver faults before the first event.</summary>
    public Action<LocalStack>? Prepare { get; init; }

    /// <summary>Told each step as it ends (an input decided or rejected, a tick that did something), with its deliveries: the table view.</summary>
    public Action<RunStep>? OnStep { get; init; }

    /// <summary>Told after each input: how many of the inputs are done (progress of long runs).</summary>
    public Action<int, int>? OnProgress { get; init; }

    /// <summary>Write each delivery to <see cref="Out"/> as its JSON line (false: the caller shows them another way, from <see cref="OnStep"/>).</summary>
    public bool PrintDeliveries { get; init; } = true;
}

/// <summary>One step of a local run as an operator reads it: an input and its decision, or a tick, and what each sent.</summary>
/// <param name="At">An input's own time (its clock time if it has none that is plausible); a tick's time.</param>
/// <param name="What">The input's origin (file, file[Records i]), or "tick" for a tick.</param>
/// <param name="Decision">notify, grouped, suppressed, duplicate, …; rejected, failed or parked; tick for a tick.</param>
/// <param name="Reason">Why, as Decide or the Tick said it (for a tick, what it did to each alert).</param>
/// <param name="Deliveries">What the step sent, in the order of the JSON lines.</param>
/// <param name="IsTick">The step is a tick (time-based work), not an input.</param>
public sealed record RunStep(DateTimeOffset At, string What, string Decision, string Reason, IReadOnlyList<OutboundRecord> Deliveries, bool IsTick = false);

/// <summary>What a local run did, accounted for: every input is notified, recorded (with a reason), or rejected.</summary>
public sealed record RunSummary
{
    public int Received { get; init; }

    public Dictionary<string, int> Decisions { get; init; } = new(StringComparer.Ordinal);

    public int Rejected { get; init; }

    public int Deliveries { get; init; }

    /// <summary>Of <see cref="Deliveries"/>, those an input's own execution sent (the rest went out at ticks: group digests, burn pages, repeats, deferred retries).</summary>
    public int DeliveriesFromEvents { get; init; }

    /// <summary>Deliveries per receiver/channel, most first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ByReceiver { get; init; } = [];

    /// <summary>Deliveries per action (trigger, digest, dlq, …), most first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ByAction { get; init; } = [];

    public int FailedDeliveriesParked { get; init; }

    public int ExecutionsFailed { get; init; }

    public long DynamoRequests { get; init; }

    /// <summary>DynamoDB requests by operation (GetItem, PutItem, Query, …).</summary>
    public Dictionary<string, long> DynamoByOperation { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Capacity units the local DynamoDB reported: reads, table writes, and due-index writes (see <see cref="CountingDynamoHandler"/>).</summary>
    public (double Read, double Write, double IndexWrite) DynamoUnits { get; init; }

    /// <summary>DynamoDB requests per kind of invocation (Decide by decision, Tick), from <see cref="LocalStack.DynamoByInvocation"/>.</summary>
    public Dictionary<string, (long Invocations, long Requests)> DynamoByInvocation { get; init; } = new(StringComparer.Ordinal);

    public long LambdaInvocations { get; init; }

    /// <summary>Invocations per function name (ops-decide, ops-deliver, ops-tick).</summary>
    public Dictionary<string, long> InvocationsByFunction { get; init; } = new(StringComparer.Ordinal);

    public long StateTransitions { get; init; }

    public int Ticks { get; init; }

    /// <summary>Of <see cref="ExecutionsFailed"/>, the ticks (the rest are events).</summary>
    public int TicksFailed { get; init; }

    /// <summary>Wall time of each event's execution (start to end, all deliveries included), in input order.</summary>
    public IReadOnlyList<double> ExecutionMilliseconds { get; init; } = [];

    /// <summary>Decide's time per invocation, in its handler (see <see cref="LocalStack.DecideMilliseconds"/>).</summary>
    public IReadOnlyList<double> DecideMilliseconds { get; init; } = [];

    /// <summary>Every call the local stack refused because a role's policies do not allow it ("AccessDeniedException: …").</summary>
    public IReadOnlyList<string> AccessDenials { get; init; } = [];

    /// <summary>The drill report rows of <see cref="LocalRunOptions.ReplayName"/>, when the run was a drill.</summary>
    public IReadOnlyList<OpsPipeline.Core.Ports.DrillReportRow> DrillReport { get; init; } = [];
}

/// <summary>Runs events through the local stack one at a time and prints each outbound notification as a JSON line.</summary>
public static class LocalRun
{
    public static async Task<(RunSummary Summary, IReadOnlyList<OutboundRecord> Outbound, IReadOnlyList<ParkedRecord> Parked)> RunAsync(LocalRunOptions options, CancellationToken ct = default)
    {
        // --clock event moves the clock only to plausible times (not before 2000, not past the real clock's now plus the
        // allowed skew): an event stamped 0001 or 9999 is rejected by Decide against the clock, and never moves it.
        var wallNow = TimeProvider.System.GetUtcNow();
        bool Plausible(DateTimeOffset? t) => t is { } v && OpsPipeline.Core.Events.EventPlausibility.IsPlausible(v, wallNow, options.Config.Defaults.ClockSkew);
        var first = options.Inputs.Select(i => i.Time()).FirstOrDefault(Plausible) ?? wallNow;
        var clock = new ManualClock(first);
        TimeProvider time = options.Clock == ClockMode.Event ? clock : TimeProvider.System;
        await using var stack = await LocalStack.StartAsync((options.Stack ?? new LocalStackOptions { Config = options.Config, Clock = time }) with { Config = options.Config, Clock = time, Log = options.Err, StateDir = options.StateDir }, ct).ConfigureAwait(false);
        options.Prepare?.Invoke(stack);

        // With --state, every event that reached the bus is kept, like the ops-bus archive: replays and redrives read it.
        await using var archive = options.StateDir is { } dir ? new StreamWriter(Path.Combine(dir, "archive.jsonl"), append: true) : null;
        var decisions = new Dictionary<string, int>(StringComparer.Ordinal);
        var latencies = new List<double>();
        int rejected = 0, failed = 0, printed = 0, ticks = 0, ticksFailed = 0, fromEvents = 0, done = 0;
        long transitions = 0;

        async Task<List<OutboundRecord>> PrintNewAsync()
        {
            var outbound = stack.Outbound;
            var fresh = outbound.Skip(printed).OrderBy(r => r.Receiver, StringComparer.Ordinal).ThenBy(r => r.Channel, StringComparer.Ordinal).ToList();
            if (options.PrintDeliveries)
            {
                foreach (var record in fresh)
                {
                    await options.Out.WriteLineAsync(JsonSerializer.Serialize(record, OpsCtlJsonContext.Default.OutboundRecord)).ConfigureAwait(false);
                }
            }

            printed = outbound.Count;
            return fresh;
        }

        // An input's step: its decision and what its own execution sent.
        async Task StepAsync(EventInput input, string decision, string reason)
        {
            var sent = await PrintNewAsync().ConfigureAwait(false);
            fromEvents += sent.Count;
            options.OnStep?.Invoke(new RunStep(input.Time() is { } t && Plausible(t) ? t : time.GetUtcNow(), input.Origin, decision, reason, sent));
            options.OnProgress?.Invoke(++done, options.Inputs.Count);
        }

        // A tick's step, when it did something: what it did to each alert, and what it sent.
        async Task TickStepAsync(ExecutionOutcome tick, DateTimeOffset at, string kind, string reason)
        {
            var sent = await PrintNewAsync().ConfigureAwait(false);
            if (sent.Count > 0 || kind != "tick" || !reason.Contains("nothing due", StringComparison.Ordinal))
            {
                options.OnStep?.Invoke(new RunStep(at, "tick", kind, PathLines(tick) is { Count: > 0 } lines ? string.Join("; ", lines) : reason, sent, IsTick: true));
            }
        }

        // What the local AWS put on the default bus meanwhile (a reaction's state machine ending) reaches the pipeline
        // through its rule: one execution each, like any event.
        async Task RunEmittedAsync()
        {
            foreach (var emitted in stack.TakeEmittedEvents())
            {
                var outcome = await stack.ExecuteAsync(emitted, ct).ConfigureAwait(false);
                transitions += outcome.Transitions;
                // Not an input of the run (its counts are the inputs'); it sends nothing itself: Decide records the end.
                var (_, reason) = Describe(outcome);
                if (options.Explain)
                {
                    await options.Err.WriteLineAsync($"aws.states event: {reason}{PathOf(outcome)}").ConfigureAwait(false);
                }
            }
        }

        // --clock event: the Tick runs at every minute boundary the clock passes, as EventBridge Scheduler would.
        async Task TickUntilAsync(DateTimeOffset until)
        {
            var next = MinuteAfter(clock.Now);
            while (next <= until)
            {
                // A tick with nothing due changes nothing: jump to the first minute something is due (an open
                // budget interval or a firing burn alert needs every minute), so days between events cost no time.
                if (await NextWorkAsync(stack, until, ct).ConfigureAwait(false) is { } work && work > next)
                {
                    next = work;
                    if (next > until)
                    {
                        break;
                    }
                }

                clock.Now = next;
                var tick = await stack.ExecuteAsync(LocalStack.TickInput(next), ct).ConfigureAwait(false);
                ticks++;
                transitions += tick.Transitions;
                var (kind, reason) = Describe(tick);
                if (tick.Status != "SUCCEEDED" || kind == "parked")
                {
                    failed++;
                    ticksFailed++;
                    await options.Err.WriteLineAsync(kind == "parked" ? $"failed tick at {next:HH:mm} (parked with its error): {reason}" : $"failed tick at {next:HH:mm}: {tick.Error}: {tick.Cause}").ConfigureAwait(false);
                }
                else if (options.Explain && kind == "tick" && !reason.Contains("nothing due", StringComparison.Ordinal))
                {
                    await options.Err.WriteLineAsync($"tick {next:yyyy-MM-ddTHH:mm}Z: {reason}{PathOf(tick)}").ConfigureAwait(false);
                }

                await TickStepAsync(tick, next, kind, reason).ConfigureAwait(false);
                await RunEmittedAsync().ConfigureAwait(false);
                next = next.AddMinutes(1);
            }
        }

        // A silence of the state that overlaps none of the events it runs mutes nothing: say so, naming both spans.
        if (options.Clock == ClockMode.Event && options.Inputs.Select(i => i.Time()).Where(t => t is not null && Plausible(t)).Select(t => t!.Value).ToList() is { Count: > 0 } times)
        {
            var (from, to) = (times.Min(), times.Max());
            foreach (var silence in await stack.Runtime.SilenceStore.ListAsync(ct).ConfigureAwait(false))
            {
                if (silence.EndsAt <= from || silence.StartsAt > to)
                {
                    await options.Err.WriteLineAsync($"warning: silence {silence.Id} ({silence.Describe()}) is active {silence.StartsAt.UtcDateTime:yyyy-MM-ddTHH:mm}Z to {silence.EndsAt.UtcDateTime:yyyy-MM-ddTHH:mm}Z, outside this run's events ({from.UtcDateTime:yyyy-MM-ddTHH:mm}Z to {to.UtcDateTime:yyyy-MM-ddTHH:mm}Z): it mutes none of them; give it --starts/--ends in their time").ConfigureAwait(false);
                }
            }
        }

        // On the wall clock, events older than an SLO's window add no bad time to today's budget: say so once.
        var sloWindow = options.Config.Slos.Select(s => s.Window).DefaultIfEmpty().Max();
        if (options.Clock == ClockMode.Wall && sloWindow > TimeSpan.Zero
            && options.Inputs.Select(i => i.Time()).Where(t => t is not null && t < TimeProvider.System.GetUtcNow() - sloWindow).ToList() is { Count: > 0 } old)
        {
            await options.Err.WriteLineAsync($"warning: --clock wall: {old.Count} event(s) are older than the SLO window ({OpsPipeline.Core.ErrorBudgets.BudgetEvaluator.Span(sloWindow)}), so their bad time is outside every budget today; --clock event replays them at their own time").ConfigureAwait(false);
        }

        foreach (var input in options.Inputs)
        {
            if (options.Clock == ClockMode.Event && input.Time() is { } t && t > clock.Now && Plausible(t))
            {
                await TickUntilAsync(t).ConfigureAwait(false);
                clock.Now = t;
            }

            if (input.Rejection is null && !input.IsSqsRecord && System.Text.Encoding.UTF8.GetByteCount(input.Json) > LocalStack.MaxMessageBytes)
            {
                // EventBridge's PutEvents refuses an entry over 256 KiB, so no such event reaches the pipeline in AWS;
                // locally the bus's refusal is reported by field and a bounded copy parked, so it is not silently gone.
                rejected++;
                var tooLarge = $"(root): event is larger than {LocalStack.MaxMessageBytes} bytes, which EventBridge PutEvents refuses";
                await options.Err.WriteLineAsync($"rejected {input.Origin}: {tooLarge}").ConfigureAwait(false);
                stack.ParkRefusedAtBus(input.Json, tooLarge);
                await StepAsync(input, "rejected", tooLarge).ConfigureAwait(false);
                continue;
            }

            if (input.Rejection is { } why)
            {
                rejected++;
                await options.Err.WriteLineAsync($"rejected {input.Origin}: {why}").ConfigureAwait(false);
                transitions += (await stack.ExecuteAsync(input.Json, ct).ConfigureAwait(false)).Transitions; // parked, base64
                await StepAsync(input, "rejected", why).ConfigureAwait(false);
                continue;
            }

            string eventJson;
            try
            {
                eventJson = input.IsSqsRecord ? await EnrichAsync(stack, input.Json, clock.Now, ct).ConfigureAwait(false) : input.Json;
                if (input.IsSqsRecord && options.ReplayName is { } drillName)
                {
                    // A drill replays its DLQ arrivals too: the event the Pipe made of the record is marked as replayed.
                    eventJson = ReplayMarker.Mark(eventJson, drillName);
                }
            }
            catch (Exception e) when (e is OpsCtl.Local.Aws.AccessDeniedException or PipeBatchFailedException)
            {
                // The Pipe (or the enrichment function) could not do its work: in AWS the batch fails and stays on the queue.
                failed++;
                var message = $"{(e is OpsCtl.Local.Aws.AccessDeniedException ? OpsCtl.Local.Aws.AccessDeniedException.ErrorCode + ": " : string.Empty)}{e.Message}";
                await options.Err.WriteLineAsync($"failed {input.Origin}: {message}").ConfigureAwait(false);
                await StepAsync(input, "failed", message).ConfigureAwait(false);
                continue;
            }
            catch (OpsPipeline.Core.Events.InvalidEventException e)
            {
                // Reported by field, and still sent through the pipeline so the raw record is parked, not lost.
                rejected++;
                await options.Err.WriteLineAsync($"rejected {input.Origin}: {e.Message}").ConfigureAwait(false);
                transitions += (await stack.ExecuteAsync(input.Json, ct).ConfigureAwait(false)).Transitions;
                await StepAsync(input, "rejected", e.Message).ConfigureAwait(false);
                continue;
            }

            if (archive is not null)
            {
                // One event per line, as `dlq redrive` and replays read it back. In valid JSON a raw line break can only
                // be whitespace between tokens (strings escape theirs), so writing it as a space changes nothing else.
                await archive.WriteLineAsync(eventJson.ReplaceLineEndings(" ")).ConfigureAwait(false);
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var outcome = await stack.ExecuteAsync(eventJson, ct).ConfigureAwait(false);
            latencies.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            transitions += outcome.Transitions;
            var (kind, reason) = Describe(outcome);
            if (kind == "rejected")
            {
                rejected++;
                await options.Err.WriteLineAsync($"rejected {input.Origin}: {reason}").ConfigureAwait(false);
            }
            else if (outcome.Status != "SUCCEEDED" || kind == "parked")
            {
                failed++;
                await options.Err.WriteLineAsync(kind == "parked" ? $"failed {input.Origin} (parked with its error): {reason}" : $"failed {input.Origin}: {outcome.Error}: {outcome.Cause}").ConfigureAwait(false);
            }
            else
            {
                decisions[kind] = decisions.GetValueOrDefault(kind) + 1;
            }

            if (options.Explain && kind != "rejected")
            {
                await options.Err.WriteLineAsync($"{input.Origin}: {reason}{PathOf(outcome)}").ConfigureAwait(false);
            }

            var failedHere = kind != "rejected" && (outcome.Status != "SUCCEEDED" || kind == "parked");
            await StepAsync(input, failedHere && kind != "parked" ? "failed" : kind, failedHere && kind != "parked" ? $"{outcome.Error}: {outcome.Cause}" : reason).ConfigureAwait(false);
            await RunEmittedAsync().ConfigureAwait(false);
        }

        // At the end the clock advances past every pending group wait, so every digest that would have gone out does.
        if (options.Clock == ClockMode.Event)
        {
            await TickUntilAsync(clock.Now + stack.Runtime.Pipeline.Lookahead + TimeSpan.FromMinutes(1)).ConfigureAwait(false);

            // Deliveries a receiver asked to wait for go out at the first tick after the wait, however long it was
            // (bounded: Deliver defers one delivery at most DeliverUseCase.MaxDeferrals times).
            // So do the flood guard's summaries, a minute after what they tell.
            for (var round = 0; round <= OpsPipeline.Core.Pipeline.DeliverUseCase.MaxDeferrals + 1 && await PendingAfterRunAsync(stack, ct).ConfigureAwait(false) is { } retryAt; round++)
            {
                await TickUntilAsync(MinuteCeiling(retryAt > clock.Now ? retryAt : clock.Now.AddMinutes(1))).ConfigureAwait(false);
            }

            // An SLO incident whose alarms are all OK resolves once its burn alerts' short windows have passed: the run
            // goes on until it has (bounded by the longest of those windows), so its resolve and its cost are in the
            // output. One whose alarm still fires stays open, as it would in AWS.
            // A reaction started is told once its outcome is known, or timed out at its deadline: the run goes on
            // until each is told (bounded by the longest outcomeWithin).
            var reactionBound = clock.Now + stack.Runtime.Config.Reactions.Select(r => r.OutcomeWithin).DefaultIfEmpty().Max() + TimeSpan.FromMinutes(2);
            while (stack.Runtime.Config.Reactions.Count > 0 && clock.Now < reactionBound && await stack.Runtime.ReactionLedger.EarliestRunAsync(ct).ConfigureAwait(false) is { } runDue)
            {
                await TickUntilAsync(MinuteCeiling(runDue > clock.Now ? runDue : clock.Now.AddMinutes(1))).ConfigureAwait(false);
            }

            var incidentBound = clock.Now + stack.Runtime.Config.Slos.SelectMany(s => s.BurnAlerts).Select(a => a.Short).DefaultIfEmpty().Max() + TimeSpan.FromMinutes(2);
            while (clock.Now < incidentBound && await IncidentOpenAsync(stack, ct).ConfigureAwait(false))
            {
                await TickUntilAsync(MinuteAfter(clock.Now)).ConfigureAwait(false);
            }
        }
        else
        {
            var tickAt = TimeProvider.System.GetUtcNow();
            var tick = await stack.ExecuteAsync(LocalStack.TickInput(tickAt), ct).ConfigureAwait(false);
            ticks++;
            transitions += tick.Transitions;
            var (tickKind, tickReason) = Describe(tick);
            await TickStepAsync(tick, tickAt, tickKind, tickReason).ConfigureAwait(false);

            // A wall-clock run ends now: what it still holds (group waits and intervals, repeats, mutes) would go out
            // at a later tick. Say exactly what and when, rather than end as if nothing were pending.
            var pending = (await stack.Runtime.AlertStates.DueAsync(DateTimeOffset.MaxValue, ct).ConfigureAwait(false))
                .Where(a => a.DueAt is not null && a.Pending.Count > 0).OrderBy(a => a.DueAt).ToList();
            if (pending.Count > 0)
            {
                var soonest = pending.Take(5).Select(a => $"{(a.AlertJson is { } json ? OpsPipeline.Core.Alerts.AlertCloudEvent.FromJson(json).Name : a.Key)} at {a.DueAt!.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z");
                await options.Err.WriteLineAsync($"held when the run ended (--clock wall ticks once): {pending.Count} alert(s) with notifications still to go out, the first {string.Join(", ", soonest)}; --clock event runs every tick they need").ConfigureAwait(false);
            }
        }

        await options.Out.FlushAsync(ct).ConfigureAwait(false);
        var parked = stack.Parked;
        var summary = new RunSummary
        {
            Received = options.Inputs.Count,
            Decisions = decisions,
            Rejected = rejected,
            Deliveries = stack.Outbound.Count,
            DeliveriesFromEvents = fromEvents,
            ByReceiver = CountsOf(stack.Outbound.Select(o => $"{o.Receiver}/{o.Channel}")),
            ByAction = CountsOf(stack.Outbound.Select(o => o.Action)),
            FailedDeliveriesParked = parked.Count(p => p.Queue == LocalStack.FailedDeliveryQueueUrl),
            ExecutionsFailed = failed,
            DynamoRequests = stack.DynamoCounter.Total,
            DynamoByOperation = new Dictionary<string, long>(stack.DynamoCounter.ByOperation, StringComparer.Ordinal),
            DynamoUnits = (stack.DynamoCounter.ReadUnits, stack.DynamoCounter.WriteUnits, stack.DynamoCounter.IndexWriteUnits),
            DynamoByInvocation = new Dictionary<string, (long, long)>(stack.DynamoByInvocation, StringComparer.Ordinal),
            LambdaInvocations = stack.LambdaInvocations,
            InvocationsByFunction = new Dictionary<string, long>(stack.InvocationsByFunction, StringComparer.Ordinal),
            StateTransitions = transitions,
            Ticks = ticks,
            TicksFailed = ticksFailed,
            ExecutionMilliseconds = latencies,
            DecideMilliseconds = stack.DecideMilliseconds,
            DrillReport = options.ReplayName is { } replay ? await stack.Runtime.DrillReports.ListAsync(replay, ct).ConfigureAwait(false) : [],
            AccessDenials = stack.AccessDenials,
        };
        foreach (var denial in summary.AccessDenials)
        {
            await options.Err.WriteLineAsync("refused by IAM: " + denial).ConfigureAwait(false);
        }
        if (options.StateDir is { } keep)
        {
            // The local stand-ins for the two parking queues, kept with the state: opsctl failed list|redrive reads them.
            foreach (var p in parked)
            {
                await new OpsCtl.LocalQueueSender(keep).SendAsync(p.Queue[(p.Queue.LastIndexOf('/') + 1)..], "000000000000", "us-east-1", p.Body, ct).ConfigureAwait(false);
            }
        }

        if (options.InspectAsync is { } inspect)
        {
            await inspect(stack).ConfigureAwait(false);
        }

        return (summary, stack.Outbound, parked);
    }

    private static List<KeyValuePair<string, int>> CountsOf(IEnumerable<string> names) =>
        [.. names.GroupBy(n => n, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, g.Count())).OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)];

    /// <summary>The decision of one execution: Decide's decision and reason, or "rejected" with the field error for parked input.</summary>
    private static (string Kind, string Reason) Describe(ExecutionOutcome outcome)
    {
        if (outcome.Output is { ValueKind: JsonValueKind.Object } output)
        {
            if (output.TryGetProperty("decision", out var d) && d.ValueKind == JsonValueKind.String)
            {
                return (d.GetString()!, output.TryGetProperty("reason", out var r) ? r.GetString() ?? string.Empty : string.Empty);
            }

            // A parked input ends in "Event parked": with Decide's parked copy ({body, error, cause}), or, when that could
            // not be rendered, with the Catch's {Error, Cause}. Bad input is rejected; anything else failed and was parked.
            var parkedCopy = output.TryGetProperty("body", out _) && output.TryGetProperty("error", out _);
            var parkedRaw = output.TryGetProperty("prepareError", out _);
            if ((parkedCopy || parkedRaw) && (output.TryGetProperty("error", out var error) || output.TryGetProperty("Error", out error)) && error.ValueKind == JsonValueKind.String)
            {
                var cause = output.TryGetProperty("cause", out var c) || output.TryGetProperty("Cause", out c) ? CauseMessage(c.GetString()) : string.Empty;
                return error.GetString() == "InvalidEventException" ? ("rejected", cause) : ("parked", $"{error.GetString()}: {cause}");
            }
        }

        return outcome.Error == "InvalidEventException"
            ? ("rejected", CauseMessage(outcome.Cause))
            : (outcome.Status.ToLowerInvariant(), $"{outcome.Error}: {outcome.Cause}");
    }

    /// <summary>What the Pipe does in AWS: the DLQ enrichment handler turns the record into a "DLQ Message Arrived" event.</summary>
    private static async Task<string> EnrichAsync(LocalStack stack, string recordJson, DateTimeOffset now, CancellationToken ct)
    {
        var arrivals = await stack.EnrichThroughPipeAsync(System.Text.Encoding.UTF8.GetBytes("[" + recordJson + "]"), ct).ConfigureAwait(false);
        return OpsPipeline.Core.Dlq.DlqEnricher.Envelope(arrivals.Single(), now);
    }

    /// <summary>The earliest deferred delivery or flood-guard summary still to go out, if any.</summary>
    private static async Task<DateTimeOffset?> PendingAfterRunAsync(LocalStack stack, CancellationToken ct) =>
        new[] { await stack.Runtime.Deferred.EarliestAsync(ct).ConfigureAwait(false), await stack.Runtime.Floods.EarliestAsync(ct).ConfigureAwait(false) }.Min();

    /// <summary>Whether an SLO's incident is open and ending (no alarm in ALARM; a page to resolve, or its cost still to tell).</summary>
    private static async Task<bool> IncidentOpenAsync(LocalStack stack, CancellationToken ct)
    {
        foreach (var slo in stack.Runtime.Config.Slos)
        {
            var budget = await stack.Runtime.Budgets.GetAsync(slo.Name, ct).ConfigureAwait(false);
            if (budget.InAlarm.Count == 0 && (budget.IncidentSince is not null || budget.Paged.Count > 0))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first minute boundary at which a tick could do something, or null when every minute counts.</summary>
    private static async Task<DateTimeOffset?> NextWorkAsync(LocalStack stack, DateTimeOffset until, CancellationToken ct)
    {
        try
        {
            return await FirstDueAsync(stack, until, ct).ConfigureAwait(false);
        }
        catch (Amazon.DynamoDBv2.AmazonDynamoDBException)
        {
            return null; // could not look (injected throttling): tick every minute, which is always correct
        }
    }

    private static async Task<DateTimeOffset?> FirstDueAsync(LocalStack stack, DateTimeOffset until, CancellationToken ct)
    {
        foreach (var slo in stack.Runtime.Config.Slos)
        {
            var budget = await stack.Runtime.Budgets.GetAsync(slo.Name, ct).ConfigureAwait(false);
            if (budget.Intervals.Any(i => i.End is null) || budget.Episodes.Any(e => e.FiringSince is not null) || budget.IncidentSince is not null || budget.Paged.Count > 0)
            {
                return null;
            }
        }

        var due = await stack.Runtime.AlertStates.DueAsync(until, ct).ConfigureAwait(false);
        var deferred = await stack.Runtime.Deferred.EarliestAsync(ct).ConfigureAwait(false);
        var floods = await stack.Runtime.Floods.EarliestAsync(ct).ConfigureAwait(false);
        var runs = stack.Runtime.Config.Reactions.Count == 0 ? null : await stack.Runtime.ReactionLedger.EarliestRunAsync(ct).ConfigureAwait(false);
        var first = due.Select(d => d.DueAt).Append(deferred).Append(floods).Append(runs).Where(d => d is not null).Min();
        return first is { } f ? MinuteCeiling(f) : until.AddMinutes(1);
    }

    private static DateTimeOffset MinuteCeiling(DateTimeOffset t) =>
        t.UtcTicks % TimeSpan.TicksPerMinute == 0 ? t : MinuteAfter(t);

    private static DateTimeOffset MinuteAfter(DateTimeOffset t)
    {
        var floor = new DateTimeOffset(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        return floor.AddMinutes(1);
    }

    /// <summary>The decision path Decide reported, indented under the event, for --explain.</summary>
    private static string PathOf(ExecutionOutcome outcome) => string.Concat(PathLines(outcome).Select(p => "\n    " + p));

    /// <summary>The decision path Decide or the Tick reported, one line per step.</summary>
    private static List<string> PathLines(ExecutionOutcome outcome) =>
        outcome.Output is { ValueKind: JsonValueKind.Object } output && output.TryGetProperty("path", out var path) && path.ValueKind == JsonValueKind.Array
            ? [.. path.EnumerateArray().Select(p => p.GetString() ?? string.Empty)]
            : [];

    /// <summary>Step Functions' Cause for a Lambda error is the error JSON; show its message.</summary>
    private static string CauseMessage(string? cause)
    {
        if (cause is null)
        {
            return string.Empty;
        }

        try
        {
            using var doc = JsonDocument.Parse(cause);
            return doc.RootElement.TryGetProperty("errorMessage", out var m) ? m.GetString() ?? cause : cause;
        }
        catch (JsonException)
        {
            // aws-local-stepfunctions reports a Lambda error's cause as "Type: message".
            const string prefix = "InvalidEventException: ";
            return cause.StartsWith(prefix, StringComparison.Ordinal) ? cause[prefix.Length..] : cause;
        }
    }
}
