using System.Text.Json;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Events;

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

    /// <summary>Lambda entry point (Stream in, Stream out).</summary>
    public async Task<Stream> Handle(Stream input)
    {
        var result = await DecideAsync(await ReadBoundedAsync(input).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);
        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, result, FunctionsJsonContext.Default.DecideResult).ConfigureAwait(false);
        output.Position = 0;
        return output;
    }

    public async Task<DecideResult> DecideAsync(ReadOnlyMemory<byte> utf8Event, CancellationToken ct)
    {
        var parsed = EventParser.Parse(utf8Event.Span);
        var alert = AlertNormalizer.Normalize(parsed, runtime.Config.Alarms);
        var alertJson = AlertCloudEvent.ToJsonString(alert);
        var silences = await runtime.Silences.GetAsync(ct).ConfigureAwait(false);
        var needsSources = runtime.Decider.NeedsSources(alert.Labels);
        for (var attempt = 1; attempt <= WriteAttempts; attempt++)
        {
            var (stored, sources) = await runtime.AlertStates.GetAsync(alert.Key, needsSources, ct).ConfigureAwait(false);
            var decision = runtime.Decider.Decide(alert, stored, new(silences, sources), runtime.Clock.GetUtcNow(), alertJson);
            if (decision.NewState is null || await runtime.AlertStates.TryWriteAsync(decision.NewState, stored?.Version ?? 0, ct).ConfigureAwait(false))
            {
                if (decision.SourceUpdate is { } update && decision.NewState is not null)
                {
                    // Only inhibition sources (capability alarms) pay this third request, and only when they start or stop firing.
                    await runtime.AlertStates.UpdateSourceAsync(update, ct).ConfigureAwait(false);
                }

                return new DecideResult(alert.EventId, alert.Key, decision.Kind, decision.Reason, decision.Deliveries) { Path = decision.Path };
            }
        }

        throw new StateConflictException($"alert {alert.Key}: state changed under {WriteAttempts} consecutive writes");
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream input)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await input.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxEventBytes)
            {
                throw new InvalidEventException("(root)", $"(root): event is larger than {MaxEventBytes} bytes");
            }
        }

        return buffer.ToArray();
    }
}
