using System.CommandLine;
using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.SQS;
using Amazon.SQS.Model;
using OpsCtl.Local;
using OpsPipeline.Core.Dlq;
using OpsPipeline.Core.Events;
using OpsPipeline.Functions;
using OpsPipeline.Functions.Adapters;

namespace OpsCtl;

/// <summary>Where redriven messages go: a real SQS queue, or the local stack's stand-in queue in the state directory.</summary>
public interface IQueueSender
{
    Task SendAsync(string queueName, string account, string region, string body, CancellationToken ct);
}

/// <summary>The local stack's queues: a folder per queue in the state directory, one file per message (SQS allows 1 MiB; a table item 400 KB).</summary>
public sealed class LocalQueueSender(string stateDir) : IQueueSender
{
    public static string QueueFolder(string stateDir, string queueName) => Path.Combine(stateDir, "queues", queueName);

    public async Task SendAsync(string queueName, string account, string region, string body, CancellationToken ct)
    {
        var folder = QueueFolder(stateDir, queueName);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.msg"), body, ct).ConfigureAwait(false);
    }

    public static IReadOnlyList<string> ReceiveAll(string stateDir, string queueName)
    {
        var folder = QueueFolder(stateDir, queueName);
        return Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(File.ReadAllText)] : [];
    }
}

/// <summary>Real SQS: the queue URL is looked up by name in the message's account and region.</summary>
public sealed class SqsQueueSender(IAmazonSQS sqs) : IQueueSender
{
    public async Task SendAsync(string queueName, string account, string region, string body, CancellationToken ct)
    {
        var url = await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queueName, QueueOwnerAWSAccountId = account }, ct).ConfigureAwait(false);
        await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = url.QueueUrl, MessageBody = body }, ct).ConfigureAwait(false);
    }
}

/// <summary>`opsctl dlq redrive`: archived DLQ arrivals (or raw DLQ records) back to their source queue, with counts.</summary>
public static class DlqCommands
{
    public static Command Build()
    {
        var from = new Argument<string[]>("PATH") { Description = "Files or folders of archived 'DLQ Message Arrived' events or SQS records (as opsctl local reads them)", Arity = ArgumentArity.OneOrMore };
        var to = new Option<string?>("--to") { Description = "Source queue name; default: the DLQ's name without its -dlq suffix" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read and resolve every body, send nothing" };
        var targetOptions = new StateTarget.Options();
        var state = targetOptions.State;
        var table = targetOptions.Table;
        var redrive = new Command("redrive", "Send dead-lettered messages back to their source queue (bodies parked for size are fetched from the table); reports read, sent, failed.") { from, to, dryRun, state, table, targetOptions.Stack.Stack, targetOptions.Stack.Region, targetOptions.Stack.Profile };
        redrive.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            IQueueSender sender = target.Session is { } session
                ? new SqsQueueSender(session.Sqs())
                : new LocalQueueSender(parse.GetValue(state) ?? StateTarget.DefaultStateDir);
            var parked = new ParkedBodyStore(target.Dynamo, target.Table, FunctionSettings.FromEnvironment().ParkedBodyRetention);
            int read = 0, sent = 0, failed = 0, skipped = 0;
            foreach (var input in EventInputs.Read(parse.GetValue(from)!))
            {
                if (!input.IsSqsRecord && !input.Json.Contains("\"DLQ Message Arrived\"", StringComparison.Ordinal))
                {
                    skipped++; // an archive holds alarm events too; only dead-lettered messages are redriven
                    continue;
                }

                read++;
                try
                {
                    var arrival = ArrivalOf(input);
                    var body = arrival.Body ?? await ParkedBodyAsync(parked, arrival, ct).ConfigureAwait(false);
                    var queue = parse.GetValue(to) ?? SourceQueueOf(arrival.QueueName);
                    if (!parse.GetValue(dryRun))
                    {
                        await sender.SendAsync(queue, arrival.Account, arrival.Region, body, ct).ConfigureAwait(false);
                    }

                    sent++;
                }
                catch (Exception e) when (e is InvalidEventException or InvalidOperationException or AmazonSQSException or AmazonDynamoDBException)
                {
                    failed++;
                    await error.WriteLineAsync($"failed {input.Origin}: {e.Message}").ConfigureAwait(false);
                }
            }

            await output.WriteLineAsync($"dlq redrive: read {read}, sent {sent}{(parse.GetValue(dryRun) ? " (dry run: nothing sent)" : string.Empty)}, failed {failed}; {skipped} other events skipped").ConfigureAwait(false);
            return failed == 0 ? 0 : 1;
        });
        return new Command("dlq", "Dead-lettered messages the pipeline has seen.") { redrive };
    }

    /// <summary>orders-dlq → orders; orders-processor-DLQ → orders-processor; anything else needs --to.</summary>
    public static string SourceQueueOf(string dlqName)
    {
        foreach (var suffix in new[] { "-dlq", "-DLQ", "_dlq", "-deadletter", "-dead-letter" })
        {
            if (dlqName.EndsWith(suffix, StringComparison.Ordinal) && dlqName.Length > suffix.Length)
            {
                return dlqName[..^suffix.Length];
            }
        }

        throw new InvalidOperationException($"cannot tell the source queue of {dlqName} from its name: give --to");
    }

    private static DlqArrival ArrivalOf(EventInput input)
    {
        if (input.IsSqsRecord)
        {
            var record = DlqEnricher.ParseRecords(Encoding.UTF8.GetBytes("[" + input.Json + "]"))[0];
            // A raw DLQ record still has its whole body, however large.
            return Redrivable(DlqEnricher.Enrich(record, DateTimeOffset.UtcNow).Arrival) with { Body = record.Body ?? string.Empty };
        }

        return EventParser.Parse(input.Json) is DlqArrivalEvent e
            ? Redrivable(e.Arrival)
            : throw new InvalidEventException("detail-type", "detail-type: not a 'DLQ Message Arrived' event");
    }

    /// <summary>An unreadable record's body is the whole record and its queue may be unknown: sending it anywhere would be a guess.</summary>
    private static DlqArrival Redrivable(DlqArrival arrival) =>
        arrival.Unreadable is { } why ? throw new InvalidEventException("detail.unreadable", $"message {arrival.MessageId}: the record was unreadable ({why}); not redriven") : arrival;

    private static async Task<string> ParkedBodyAsync(ParkedBodyStore parked, DlqArrival arrival, CancellationToken ct)
    {
        var bytes = await parked.GetAsync(arrival.BodySha256, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"message {arrival.MessageId}: body ({arrival.BodySize} bytes) is neither in the event nor parked (expired with the archive?)");
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)) == arrival.BodySha256
            ? Encoding.UTF8.GetString(bytes)
            : throw new InvalidOperationException($"message {arrival.MessageId}: parked body does not match its SHA-256");
    }
}
