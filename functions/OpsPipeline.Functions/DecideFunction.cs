using System.Text.Json;
using System.Text.Json.Nodes;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Floods;
using OpsPipeline.Core.Events;
using OpsPipeline.Functions.Adapters;

namespace OpsPipeline.Functions;

/// <summary>Decide λ: event in → normalized alert, one conditional state write, deliveries out.</summary>
public sealed class DecideFunction(PipelineRuntime runtime)
{
    /// <summary>Optimistic-concurrency attempts inside one invocation before the state machine's Retry takes over.</summary>
    private const int WriteAttempts = 5;

    /// <summary>EventBridge events are at most 256 KiB; one byte more proves the input is too large.</summary>
    private const int MaxEventBytes = 256 * 1024;

    public DecideFunction()
        : this(PipelineRuntime.FromEnvironment)
    {
    }

    /// <summary>
    /// Lambda entry point (Stream in, Stream out): an event in, the decision out; or, from the state machine's Catch,
    /// {"parkedEvent": INPUT, "error": {Error, Cause}} in and the text to park out (<see cref="ParkedCopy"/>).
    /// </summary>
    public async Task<Stream> Handle(Stream input)
    {
        var bytes = await ReadBoundedAsync(input, 2 * MaxEventBytes).ConfigureAwait(false);
        var output = new MemoryStream();
        if (ParkRequest(bytes) is { } park)
        {
            WriteParkResult(output, Park(park));
        }
        else
        {
            if (bytes.Length > MaxEventBytes)
            {
                throw new InvalidEventException("(root)", $"(root): event is larger than {MaxEventBytes} bytes");
            }

            var result = await DecideAsync(bytes, CancellationToken.None).ConfigureAwait(false);
            await JsonSerializer.SerializeAsync(output, result, FunctionsJsonContext.Default.DecideResult).ConfigureAwait(false);
        }

        output.Position = 0;
        return output;
    }

    /// <summary>Printable ASCII of at most <paramref name="max"/> characters (others as '?'): what the state carries beside the copy.</summary>
    private static string Ascii(string text, int max) =>
        new([.. text.Take(max).Select(c => c is >= ' ' and <= '~' ? c : '?')]);

    /// <summary>The state machine's request to park an input that failed: exactly {"parkedEvent", "error"}.</summary>
    private static JsonObject? ParkRequest(byte[] bytes)
    {
        if (bytes.AsSpan().IndexOf("\"parkedEvent\""u8) < 0)
        {
            return null;
        }

        try
        {
            // The input may hold what a validating reader refuses (lone surrogates): park it as text, not at all.
            var text = ParkedCopy.NeutralizeLoneSurrogates(System.Text.Encoding.UTF8.GetString(bytes));
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 1024 }) is JsonObject { Count: 2 } o && o.ContainsKey("parkedEvent") && o["error"] is JsonObject ? o : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Written by hand with only quotes and backslashes escaped: the body is ASCII already, and the default encoder's
    /// \u0022 for every quote would make it up to six times larger in the state than it is.
    /// </summary>
    private static void WriteParkResult(Stream output, ParkResult result)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("body", result.Body);
        w.WriteString("error", result.Error);
        w.WriteString("cause", result.Cause);
        w.WriteEndObject();
    }

    /// <summary>What the parked-event queue gets: the input and the error, escaped so the queue accepts it whatever it holds.</summary>
    private ParkResult Park(JsonObject request)
    {
        var error = Ascii((string?)request["error"]?["Error"] ?? "Unknown", 256);
        var cause = Ascii((string?)request["error"]?["Cause"] ?? string.Empty, ParkedCopy.MaxCauseChars);
        runtime.Metrics.Count("EventsParked", ("Error", error));
        // Credentials pasted into alarm text stay out of the parking queue too.
        return new ParkResult(ParkedCopy.Render(request["parkedEvent"], error, cause, text => Core.Masking.CredentialMask.Mask(text) ?? string.Empty), error, cause);
    }

    public async Task<DecideResult> DecideAsync(ReadOnlyMemory<byte> utf8Event, CancellationToken ct)
    {
        try
        {
            return await DecideOnceAsync(utf8Event, ct).ConfigureAwait(false);
        }
        catch (Amazon.DynamoDBv2.AmazonDynamoDBException e) when (IsTransient(e))
        {
            // Throttled or briefly unavailable: transient, so the state machine retries the whole decision (it is
            // idempotent: a write that did land makes the retry a duplicate).
            throw new StateConflictException($"DynamoDB {e.ErrorCode}: retry the decision");
        }
    }

    internal static bool IsTransient(Amazon.DynamoDBv2.AmazonDynamoDBException e) =>
        e is Amazon.DynamoDBv2.Model.ProvisionedThroughputExceededException or Amazon.DynamoDBv2.Model.RequestLimitExceededException
            or Amazon.DynamoDBv2.Model.InternalServerErrorException
        || e.ErrorCode is "ThrottlingException" or "ServiceUnavailable";

    private async Task<DecideResult> DecideOnceAsync(ReadOnlyMemory<byte> utf8Event, CancellationToken ct)
    {
        Alert alert;
        try
        {
            var parsed = EventParser.Parse(utf8Event.Span);
            EventPlausibility.Check(parsed, runtime.Clock.GetUtcNow(), runtime.Config.Defaults.ClockSkew);
            alert = AlertNormalizer.Normalize(parsed, runtime.Config);
        }
        catch (InvalidEventException e)
        {
            runtime.Metrics.Count("EventsDecided", ("Decision", "rejected"));
            if (ReplayNameOf(utf8Event) is { } replay)
            {
                // A drill reports the events it could not replay, beside the ones it did.
                await runtime.DrillReports.AppendAsync(new DrillReportRow
                {
                    ReplayName = replay, EventId = Guid.NewGuid().ToString(), EventTime = runtime.Clock.GetUtcNow(),
                    Decision = "rejected", Reason = e.Message,
                }, runtime.Clock.GetUtcNow(), ct).ConfigureAwait(false);
            }

            throw;
        }

        var alertJson = AlertCloudEvent.ToJsonString(alert);
        var silences = await runtime.Silences.GetAsync(ct).ConfigureAwait(false);
        var needsSources = runtime.Decider.NeedsSources(alert.Labels);
        var states = alert.ReplayName is { } replayName ? runtime.AlertStates.ForDrill(replayName) : runtime.AlertStates;
        for (var attempt = 1; attempt <= WriteAttempts; attempt++)
        {
            var (stored, sources) = await states.GetAsync(alert.Key, needsSources, ct).ConfigureAwait(false);
            var decision = GuardAgainstFloods(runtime.Decider.Decide(alert, stored, new(silences, sources), runtime.Clock.GetUtcNow(), alertJson), stored, out var held);

            // All or nothing: everything else is written first, each write idempotent and ordered by the alarm's own
            // timestamp, and the alert's state last. The state write is the commit: a failure before it leaves nothing
            // a retry or the next event cannot redo (the alert is not "already notified"), and nothing after it can fail.
            if (decision.SourceUpdate is { } update && decision.NewState is not null)
            {
                // Only inhibition sources (capability alarms) pay this request, on each of their transitions.
                await runtime.AlertStates.UpdateSourceAsync(update, ct).ConfigureAwait(false);
            }

            if (alert.ReplayName is not null)
            {
                await runtime.DrillReports.AppendAsync(ReportRow(alert, decision), runtime.Clock.GetUtcNow(), ct).ConfigureAwait(false);
            }
            else if (decision.NewState is not null || decision.Kind == DecisionKinds.Duplicate)
            {
                // A duplicate too: applying the same transition twice changes nothing (BudgetLedger.Apply).
                await RecordBudgetTimeAsync(alert, ct).ConfigureAwait(false);
            }

            foreach (var receiver in alert.ReplayName is null ? held.GroupBy(d => d.Receiver, StringComparer.Ordinal) : [])
            {
                // Told once, a minute later, by the Tick (a retry after a lost commit may count these twice: it errs high).
                await runtime.Floods.HoldAsync(receiver.Key, forAlert: true, receiver.Count(), runtime.Clock.GetUtcNow(), ct).ConfigureAwait(false);
            }

            if (decision.NewState is null || await states.TryWriteAsync(decision.NewState, stored?.Version ?? 0, ct).ConfigureAwait(false))
            {
                runtime.Metrics.Count("EventsDecided", ("Decision", alert.ReplayName is null ? decision.Kind : DecisionKinds.Drill));
                return new DecideResult(alert.EventId, alert.Key, decision.Kind, decision.Reason, decision.Deliveries) { Path = decision.Path };
            }
        }

        throw new StateConflictException($"alert {alert.Key}: state changed under {WriteAttempts} consecutive writes");
    }

    /// <summary>
    /// The flood guard's cap per alert: beyond <c>defaults.floodGuard.alertPerHour</c> notifications within the hour,
    /// what the decision would send is held ("rate limited") and recorded on the alert; first triggers and resolves
    /// always go out.
    /// </summary>
    private Decision GuardAgainstFloods(Decision decision, AlertState? stored, out IReadOnlyList<Delivery> held)
    {
        held = [];
        if (decision.NewState is not { } next)
        {
            return decision;
        }

        // Always carried over, deliveries or not: the decider builds the next state afresh from the event.

        // Not yet told firing in this episode: what goes out now is its first notification, which is never held.
        var first = stored?.NotifiedStatus != AlertStatus.Firing;
        var deliveries = first ? [.. decision.Deliveries.Select(d => d with { Essential = true })] : decision.Deliveries;
        var cap = runtime.Config.Defaults.FloodGuard.AlertPerHour;
        var (sent, over, recent) = FloodGuard.ForAlert(stored?.RecentSends ?? [], deliveries, FloodGuard.AlwaysSent, runtime.Clock.GetUtcNow(), cap);
        held = over;
        var reason = over.Count > 0 ? $"{decision.Reason}; {FloodGuard.HeldReason(over.Count, cap)}" : decision.Reason;
        return decision with
        {
            Deliveries = sent,
            Reason = reason,
            NewState = next with { RecentSends = recent, LastReason = over.Count > 0 ? reason : next.LastReason },
        };
    }

    /// <summary>An SLO alarm's transition opens or closes bad time (drills never reach here: they never touch budgets).</summary>
    private async Task RecordBudgetTimeAsync(Alert alert, CancellationToken ct)
    {
        foreach (var slo in runtime.Config.Slos)
        {
            if (alert.Source == "cloudwatch" && alert.Status != AlertStatus.Unknown && slo.Alarms.Contains(alert.Name, StringComparer.Ordinal))
            {
                await runtime.Budgets.UpdateAsync(slo.Name, s => BudgetLedger.Apply(s, alert.Name, alert.Status == AlertStatus.Firing, alert.StateTimestamp, slo), ct).ConfigureAwait(false);
            }
        }
    }

    private static DrillReportRow ReportRow(Alert alert, Decision decision) => new()
    {
        ReplayName = alert.ReplayName!,
        EventId = alert.EventId,
        EventTime = alert.EventTime,
        AlertKey = alert.Key,
        AlertName = alert.Name,
        State = alert.State,
        Decision = decision.Kind,
        Reason = decision.Reason,
        WouldSend = [.. decision.WouldSend.Select(d => new DrillDelivery(d.Receiver, d.Channel, d.Action))],
        Sent = [.. decision.Deliveries.Select(d => new DrillDelivery(d.Receiver, d.Channel, d.Action))],
    };

    /// <summary>The replay name of an event that failed to parse, if it is readable at all.</summary>
    private static string? ReplayNameOf(ReadOnlyMemory<byte> utf8Event)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8Event);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("replay-name", out var r) && r.ValueKind == JsonValueKind.String
                ? r.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream input, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await input.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                throw new InvalidEventException("(root)", $"(root): event is larger than {MaxEventBytes} bytes");
            }
        }

        return buffer.ToArray();
    }
}
