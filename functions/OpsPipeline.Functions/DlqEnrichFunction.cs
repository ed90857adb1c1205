using System.Text.Json;
using OpsPipeline.Core.Dlq;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Functions;

/// <summary>
/// DLQ enrichment λ of the EventBridge Pipe (source: a watched DLQ, target: the ops bus): SQS records in, one
/// "DLQ Message Arrived" detail per record out. Bodies too large to travel are parked in the table first, so
/// nothing is lost. opsctl local runs SQS record files through this same code.
/// </summary>
public sealed class DlqEnrichFunction(PipelineRuntime runtime)
{
    public DlqEnrichFunction()
        : this(PipelineRuntime.FromEnvironment)
    {
    }

    /// <summary>Lambda entry point (Stream in, Stream out): the Pipe's batch in, the details out, in order.</summary>
    public Task<Stream> Handle(Stream input) => HandleAsync(input, CancellationToken.None);

    /// <summary>The entry point our provided.al2023 bootstrap calls: <paramref name="ct"/> ends before the invocation's deadline.</summary>
    public async Task<Stream> HandleAsync(Stream input, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer, ct).ConfigureAwait(false);
        var arrivals = await EnrichAsync(DlqEnricher.ParseRecords(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)), ct).ConfigureAwait(false);
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(arrivals, DlqArrivalJsonContext.Default.ListDlqArrival));
    }

    public async Task<List<DlqArrival>> EnrichAsync(IReadOnlyList<SqsRecord> records, CancellationToken ct)
    {
        var arrivals = new List<DlqArrival>(records.Count);
        var now = runtime.Clock.GetUtcNow();
        for (var i = 0; i < records.Count; i++)
        {
            var (arrival, parked) = DlqEnricher.Enrich(records[i], now, i);
            if (parked is { } body)
            {
                await runtime.ParkedBodies.PutAsync(arrival.BodySha256, body, runtime.Clock.GetUtcNow(), ct).ConfigureAwait(false);
            }

            runtime.Metrics.Count("DlqMessagesEnriched", ("Queue", arrival.QueueName));
            arrivals.Add(arrival);
        }

        return arrivals;
    }
}
