using System.CommandLine;
using System.Text.Json;
using OpsCtl.Deployed;
using OpsCtl.Local;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Notifiers;
using OpsPipeline.Functions;

namespace OpsCtl;

/// <summary>
/// `opsctl notify test RECEIVER`: a message marked [TEST] through the deployed Deliver function (its role reads the
/// receiver's secret from SSM and sends to the real receiver), and what the receiver answered. With --local, through
/// the local stack's Deliver to its local receivers.
/// </summary>
public static class NotifyCommands
{
    public static Command Build()
    {
        var receiver = new Argument<string>("RECEIVER") { Description = "A receiver of the config (oncall, team, ...)" };
        var config = new Option<string?>("--config") { Description = "The pipeline config the receiver is checked against (default: the repo's sample, which is what sam deploy bundles)" };
        var local = new Option<bool>("--local") { Description = "Send through the local stack's Deliver to its local receivers, not the deployed stack" };
        var from = new Option<string?>("--from") { Description = "Who sends the test (shown in the message); default: $USER" };
        var json = new Option<bool>("--json") { Description = "Print Deliver's answer as one JSON object" };
        var stack = new StackOptions();
        var test = new Command("test", "Send a message marked [TEST] to one receiver through the deployed Deliver (real secret, real receiver) and print what the receiver answered.") { receiver, config, local, from, json };
        stack.AddTo(test);
        test.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var output = parse.InvocationConfiguration.Output;
            var pipeline = Cli.LoadConfig(parse.GetValue(config), error);
            if (pipeline is null)
            {
                return ExitCodes.Usage;
            }

            var name = parse.GetValue(receiver)!;
            if (Refusal(pipeline, name) is { } refused)
            {
                await error.WriteLineAsync("opsctl notify test: " + refused).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (parse.GetValue(local) && stack.Given(parse))
            {
                await error.WriteLineAsync("opsctl notify test: --local sends to the local receivers; it takes no --stack, --region or --profile").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var who = parse.GetValue(from) ?? SilenceCommands.DefaultAuthor();
            var request = JsonSerializer.Serialize(new NotifyTestInput(new NotifyTestRequest(name, who)), FunctionsJsonContext.Default.NotifyTestInput);
            string via;
            string answer;
            if (parse.GetValue(local))
            {
                via = "the local stack's Deliver";
                answer = await InvokeLocalAsync(pipeline, request, who, null, ct).ConfigureAwait(false);
            }
            else
            {
                var (session, outputs) = await stack.OpenAsync(parse, ct).ConfigureAwait(false);
                via = $"Deliver of stack {outputs.Stack} ({outputs.Region})";
                answer = await LambdaInvoke.InvokeAsync(session, session.EffectiveRegion!, outputs.Require(StackOutputs.DeliverFunctionArn), request, ct).ConfigureAwait(false);
            }

            return await ReportAsync(answer, via, parse.GetValue(json), output, error).ConfigureAwait(false);
        });
        return new Command("notify", "Notifications to the configured receivers.") { test };
    }

    /// <summary>
    /// Prints Deliver's answer (text: what was sent where, then each request's status and the receiver's body; or
    /// --json) and returns the exit code: 0 when the receiver accepted every request, 1 when not, 2 when Deliver
    /// refused the receiver (its deployed config has no such receiver).
    /// </summary>
    public static async Task<int> ReportAsync(string answer, string via, bool json, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        NotifyTestResult? result;
        try
        {
            result = JsonSerializer.Deserialize(answer, FunctionsJsonContext.Default.NotifyTestOutput)?.NotifyTest;
        }
        catch (JsonException)
        {
            result = null;
        }

        if (result is null)
        {
            throw new CommandFailedException(ExitCodes.RunFailed, "Deliver answered no notifyTest result (deployed from an older build? sam build && sam deploy)");
        }

        if (result.Error is { } why)
        {
            // The deployed config may differ from the one checked here: Deliver names what it knows.
            await error.WriteLineAsync($"opsctl notify test: {why}" + (result.Nearest is { } nearest ? $"; did you mean '{nearest}'?" : string.Empty)).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var answers = result.Answers ?? [];
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(result, FunctionsJsonContext.Default.NotifyTestResult)).ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"sent to {result.Receiver} ({result.Channel}) through {via}: {result.Summary}").ConfigureAwait(false);
            foreach (var a in answers)
            {
                var status = a.Status == 0 ? "no answer:" : $"HTTP {a.Status}";
                await output.WriteLineAsync($"{a.Action}: {status}{(a.Body.Length > 0 ? " " + a.Body : string.Empty)}").ConfigureAwait(false);
            }
        }

        return answers.Count > 0 && answers.All(a => a.Status is >= 200 and < 300) ? ExitCodes.Ok : ExitCodes.RunFailed;
    }

    /// <summary>Why the config's receiver cannot be tested (unknown, with the nearest name; or not sent by Deliver), or null.</summary>
    public static string? Refusal(PipelineConfig config, string name)
    {
        var receiver = config.Receivers.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal));
        if (receiver is null)
        {
            return $"unknown receiver '{name}'; " + (TestNotice.NearestReceiver(config, name) is { } nearest
                ? $"did you mean '{nearest}'?"
                : "one of: " + string.Join(", ", config.Receivers.Select(r => r.Name)));
        }

        return receiver.Settings is { } settings && !NotifierRegistry.For(settings).SentOverHttp
            ? $"receiver '{name}' is {receiver.Channel}: the state machine publishes to it natively, not Deliver, so notify test cannot send it"
            : null;
    }

    /// <summary>The local stand-in for an operator's role: an identity with only the template's operator policy attached.</summary>
    public const string OperatorPolicy = "OpsctlOperatorPolicy";

    /// <summary>
    /// The deployed path on the local stack: as an operator holding only the template's OpsctlOperatorPolicy, read the
    /// stack's parameters (GetParametersByPath) and invoke Deliver through the local Lambda Invoke API, both checked by
    /// the local stack's IAM; Deliver then reads the local receiver's secret under its own role and sends.
    /// <paramref name="template"/> replaces the expanded template (tests take a grant away); <paramref name="arrange"/> sets up the stack (tests: receiver faults).
    /// </summary>
    public static async Task<string> InvokeLocalAsync(PipelineConfig config, string request, string who, System.Text.Json.Nodes.JsonObject? template, CancellationToken ct, Action<LocalStack>? arrange = null)
    {
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = config, Clock = TimeProvider.System, StateDir = null, Template = template }, ct).ConfigureAwait(false);
        arrange?.Invoke(stack);
        var key = stack.Aws.AccessKeyFor(OperatorPolicy, who);
        var session = AwsSession.ForEndpoint(new Amazon.Runtime.BasicAWSCredentials(key, "local"), Amazon.RegionEndpoint.GetBySystemName(Local.Aws.LocalAccount.Region), stack.BaseUrl);
        using var ssm = session.Ssm();
        var outputs = await StackOutputs.ReadAsync(ssm, Local.Aws.LocalAccount.StackName, Local.Aws.LocalAccount.Region, ct).ConfigureAwait(false);
        return await LambdaInvoke.InvokeAsync(session, session.Region!, outputs.Require(StackOutputs.DeliverFunctionArn), request, ct).ConfigureAwait(false);
    }
}
