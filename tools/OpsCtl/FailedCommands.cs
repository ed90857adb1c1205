using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsCtl.Local;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Notifiers;
using OpsPipeline.Core.Ports;
using OpsPipeline.Functions;

namespace OpsCtl;

/// <summary>`opsctl failed list|redrive`: the failed-delivery queue, where deliveries that exhausted their retries wait with their reason.</summary>
public static class FailedCommands
{
    public const string QueueName = "ops-failed-deliveries";

    public static Command Build()
    {
        var command = new Command("failed", "Deliveries that could not be made (the failed-delivery queue), with their reasons.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Redrive());
        return command;
    }

    private static Option<string?> State() => new("--state") { Description = "Local state directory (default .local/state): its queues/ops-failed-deliveries folder" };

    private static Option<string?> QueueUrl() => new("--queue-url") { Description = "The deployed failed-delivery queue (stack output FailedDeliveryQueueUrl); uses your AWS credentials" };

    /// <summary>
    /// The deployed queue and the session to reach it: --queue-url (with --region/--profile), else --stack's
    /// FailedDeliveryQueueUrl parameter; null (the local state's queue) when none of them is given.
    /// </summary>
    private static async Task<(string Url, Deployed.AwsSession Session)?> DeployedQueueAsync(ParseResult parse, Option<string?> queueUrl, Deployed.StackOptions stack, CancellationToken ct)
    {
        if (parse.GetValue(queueUrl) is { } url)
        {
            return (url, await stack.SessionAsync(parse).ConfigureAwait(false));
        }

        if (!stack.Given(parse))
        {
            return null;
        }

        var (session, outputs) = await stack.OpenAsync(parse, ct).ConfigureAwait(false);
        return (outputs.Require(Deployed.StackOutputs.FailedDeliveryQueueUrl), session);
    }

    /// <summary>Reads up to 100 messages from the deployed queue; with a visibility timeout of 0 it only peeks.</summary>
    private static async Task<List<Amazon.SQS.Model.Message>> ReceiveAsync(Amazon.SQS.IAmazonSQS sqs, string url, int visibility, CancellationToken ct)
    {
        var messages = new List<Amazon.SQS.Model.Message>();
        for (var i = 0; i < 10; i++)
        {
            var page = await sqs.ReceiveMessageAsync(new Amazon.SQS.Model.ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, VisibilityTimeout = visibility, WaitTimeSeconds = 1 }, ct).ConfigureAwait(false);
            if (page.Messages is not { Count: > 0 })
            {
                break;
            }

            messages.AddRange(page.Messages);
        }

        return messages;
    }

    private static Command List()
    {
        var state = State();
        var json = new Option<bool>("--json") { Description = "One JSON object per failed delivery" };
        var queueUrl = QueueUrl();
        var deployed = new Deployed.StackOptions();
        var command = new Command("list", "Show each failed delivery: receiver, channel, action, alert, and why it failed.") { state, json, queueUrl };
        deployed.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            List<(string, string Body)> messages;
            if (await DeployedQueueAsync(parse, queueUrl, deployed, ct).ConfigureAwait(false) is var (url, session))
            {
                using var sqs = session.Sqs();
                messages = [.. (await ReceiveAsync(sqs, url, visibility: 0, ct).ConfigureAwait(false)).Select(m => (m.ReceiptHandle, m.Body))];
            }
            else
            {
                messages = Read(parse.GetValue(state) ?? StateTarget.DefaultStateDir);
            }

            if (parse.GetValue(json))
            {
                foreach (var (_, body) in messages)
                {
                    await output.WriteLineAsync(JsonNode.Parse(body)!.ToJsonString()).ConfigureAwait(false);
                }

                return 0;
            }

            var rows = messages.Select(m => Row(m.Body)).ToList();
            await output.WriteAsync(SilenceCommands.Table(["RECEIVER", "CHANNEL", "ACTION", "ALERT", "ERROR", "CAUSE"], rows)).ConfigureAwait(false);
            await output.WriteLineAsync($"{rows.Count} failed deliveries").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Redrive()
    {
        var state = State();
        var config = new Option<string?>("--config") { Description = "Pipeline config (default: the repo's sample)" };
        var queueUrl = QueueUrl();
        var deployed = new Deployed.StackOptions();
        var command = new Command("redrive", "Send each failed delivery again through Deliver; sent ones leave the queue, failed ones stay with the new reason.") { state, config, queueUrl };
        deployed.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var pipeline = Cli.LoadConfig(parse.GetValue(config), error);
            if (pipeline is null)
            {
                return 2;
            }

            if (await DeployedQueueAsync(parse, queueUrl, deployed, ct).ConfigureAwait(false) is var (url, session))
            {
                return await RedriveDeployedAsync(url, session, output, error, ct).ConfigureAwait(false);
            }

            var dir = parse.GetValue(state) ?? StateTarget.DefaultStateDir;
            var messages = Read(dir);
            int read = 0, sent = 0, failed = 0;
            // Locally the receivers are the local stack's own.
            await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = pipeline, Clock = TimeProvider.System, StateDir = null }, ct).ConfigureAwait(false);
            foreach (var (file, body) in messages)
            {
                read++;
                var delivery = JsonNode.Parse(body)!.AsObject();
                delivery.Remove("error");
                try
                {
                    if (NotifierRegistry.Find((string?)delivery["channel"] ?? string.Empty) is { SentOverHttp: false })
                    {
                        throw new InvalidOperationException("SNS deliveries are re-sent by redriving the execution, not by Deliver");
                    }

                    using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(delivery.ToJsonString()));
                    await new DeliverFunction(stack.Runtime).Handle(input).ConfigureAwait(false);
                    File.Delete(file);
                    sent++;
                }
                catch (Exception e) when (e is TransientDeliveryException or PermanentDeliveryException or InvalidOperationException or JsonException)
                {
                    failed++;
                    await error.WriteLineAsync($"failed {Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
                }
            }

            foreach (var record in stack.Outbound)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(record, OpsCtlJsonContext.Default.OutboundRecord)).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"failed redrive: read {read}, sent {sent}, failed {failed}").ConfigureAwait(false);
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// Against the deployed queue: each message re-sent with Deliver's own sender (secrets from SSM, as the function
    /// reads them) and deleted once accepted; one that fails again becomes visible again after a minute, untouched.
    /// </summary>
    private static async Task<int> RedriveDeployedAsync(string url, Deployed.AwsSession session, TextWriter output, TextWriter error, CancellationToken ct)
    {
        using var sqs = session.Sqs();
        var secrets = new OpsPipeline.Functions.Adapters.SsmSecretStore(session.Ssm(), TimeProvider.System, TimeSpan.FromMinutes(5));
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var sender = new OpsPipeline.Functions.Adapters.HttpDeliverySender(http, secrets, new Uri("https://events.pagerduty.com/v2/enqueue"), TimeSpan.FromSeconds(10));
        int read = 0, sent = 0, failed = 0;
        foreach (var message in await ReceiveAsync(sqs, url, visibility: 60, ct).ConfigureAwait(false))
        {
            read++;
            try
            {
                var node = JsonNode.Parse(message.Body)!.AsObject();
                node.Remove("error");
                var delivery = node.Deserialize(OpsPipeline.Functions.FunctionsJsonContext.Default.Delivery)!;
                if (NotifierRegistry.Find(delivery.Channel) is { SentOverHttp: false })
                {
                    throw new InvalidOperationException("SNS deliveries are re-sent by redriving the execution, not by Deliver");
                }

                await sender.SendAsync(delivery, ct).ConfigureAwait(false);
                await sqs.DeleteMessageAsync(url, message.ReceiptHandle, ct).ConfigureAwait(false);
                sent++;
            }
            catch (Exception e) when (e is TransientDeliveryException or PermanentDeliveryException or InvalidOperationException or JsonException)
            {
                failed++;
                await error.WriteLineAsync($"failed {message.MessageId}: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync($"failed redrive: read {read}, sent {sent}, failed {failed}").ConfigureAwait(false);
        return failed == 0 ? 0 : 1;
    }

    private static List<(string File, string Body)> Read(string stateDir)
    {
        var folder = LocalQueueSender.QueueFolder(stateDir, QueueName);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(f => (f, File.ReadAllText(f)))]
            : [];
    }

    private static string[] Row(string body)
    {
        var d = JsonNode.Parse(body)!;
        var alert = (string?)d["alertKey"] ?? "-";
        return
        [
            (string?)d["receiver"] ?? "-",
            (string?)d["channel"] ?? "-",
            (string?)d["action"] ?? "-",
            alert.Length > 60 ? "…" + alert[^59..] : alert,
            (string?)d["error"]?["Error"] ?? "-",
            ((string?)d["error"]?["Cause"] ?? "-").ReplaceLineEndings(" "),
        ];
    }
}
