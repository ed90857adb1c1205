using System.Diagnostics;
using System.Text.Json.Nodes;
using OpsCtl.Local;
using OpsCtl.Local.Aws;
using OpsPipeline.Functions;
using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// The strict local stack against the template's grants: a run that makes every call the pipeline makes (the
/// sample events, a DLQ body too large to travel, a receiver that asks to wait ten minutes, a bad event), then the
/// same run with any one of those actions taken out of its role, which must end in an AccessDeniedException
/// naming it, as AWS would refuse it.
/// </summary>
[Trait("Category", "Integration")]
public class IamEnforcementTests
{
    private static readonly string Expanded = File.ReadAllText(RepoPaths.ExpandedTemplate);

    /// <summary>Every kind of work: alarms (with an inhibition source), DLQ records, a 70 KiB DLQ body, a deferral, a parked event.</summary>
    private static IReadOnlyList<EventInput> EverythingInputs()
    {
        var inputs = EventInputs.Read([RepoPaths.Events]).ToList();
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Events, "sqs-lambda-async-dlq.json")))!.AsArray()[0]!.AsObject();
        record["messageId"] = "70kib-body";
        record["body"] = new string('x', 70 * 1024);
        inputs.Add(new EventInput("large-dlq-body", record.ToJsonString(), IsSqsRecord: true));
        // A billing alarm goes to the email receiver (the state machine's own sns:Publish); a capability alarm is an
        // inhibition source (Decide's UpdateItem).
        foreach (var name in new[] { "billing-invoices-failed", "checkout-capability" })
        {
            var alarm = File.ReadAllText(Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json")).Replace("checkout-api-5xx", name, StringComparison.Ordinal);
            inputs.Add(new EventInput(name, alarm.Replace("\"id\": \"", $"\"id\": \"{name}-", StringComparison.Ordinal)));
        }

        inputs.Add(new EventInput("bad-event", """{"source":"aws.cloudwatch","detail-type":"CloudWatch Alarm State Change"}"""));
        return inputs;
    }

    /// <summary>The sample config, with a flood guard of one notification an hour per alert and repeats every minute, so guard holds happen too.</summary>
    private static OpsPipeline.Core.Configuration.PipelineConfig Config()
    {
        var sample = TestConfig.Sample();
        return sample with
        {
            Defaults = sample.Defaults with { RepeatInterval = TimeSpan.FromMinutes(1), FloodGuard = new OpsPipeline.Core.Configuration.FloodGuardConfig { AlertPerHour = 1 } },
            Route = sample.Route with { RepeatInterval = TimeSpan.FromMinutes(1) },
        };
    }

    private static async Task<(RunSummary Summary, IReadOnlyList<(string Role, string Action, string Resource)> Calls, string Err)> RunAsync(JsonObject template)
    {
        var err = new StringWriter();
        IReadOnlyList<(string, string, string)> calls = [];
        var (summary, _, _) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = Config(),
            Inputs = EverythingInputs(),
            Out = TextWriter.Null,
            Err = err,
            Stack = new LocalStackOptions { Config = Config(), Clock = TimeProvider.System, Template = template },
            Prepare = stack => stack.Faults.Script("team", new ReceiverAnswer(429, RetryAfter: TimeSpan.FromMinutes(10))),
            InspectAsync = stack =>
            {
                calls = stack.Aws.Calls;
                return Task.CompletedTask;
            },
        });
        return (summary, calls, err.ToString());
    }

    private static JsonObject Template() => JsonNode.Parse(Expanded)!.AsObject();

    /// <summary>The template with <paramref name="action"/> taken out of every statement of <paramref name="role"/>'s own policies.</summary>
    private static JsonObject Without(string role, string action)
    {
        var template = Template();
        foreach (var policy in template["Resources"]![role]!["Properties"]!["Policies"]!.AsArray())
        {
            var statements = policy!["PolicyDocument"]!["Statement"]!.AsArray();
            foreach (var listed in statements.ToList())
            {
                // A conditional grant (the reaction targets): {"Fn::If": [condition, statement, AWS::NoValue]}.
                var statement = listed!["Fn::If"] is JsonArray conditional ? conditional[1]! : listed;
                var actions = statement["Action"] is JsonArray list ? list.Select(a => (string)a!).ToList() : [(string)statement["Action"]!];
                var kept = actions.Where(a => !string.Equals(a, action, StringComparison.OrdinalIgnoreCase)).ToList();
                if (kept.Count == 0)
                {
                    statements.Remove(listed);
                }
                else
                {
                    statement["Action"] = new JsonArray([.. kept.Select(a => (JsonNode)a)]);
                }
            }
        }

        return template;
    }

    [Fact]
    public async Task EveryCall_WhenItsActionIsRemovedFromItsRole_ShouldFailTheRunWithAccessDenied()
    {
        var (baseline, calls, baselineErr) = await RunAsync(Template());
        Assert.True(baseline.AccessDenials.Count == 0, string.Join('\n', baseline.AccessDenials));
        Assert.True(baseline.ExecutionsFailed == 0, baselineErr);

        // The functions call nothing that AwsCalls does not list (the list the policy tests hold the template against).
        var roleOfFunction = AwsCalls.ByFunction.Keys.ToDictionary(f => (string)JsonNode.Parse(Expanded)!["Resources"]![f]!["Properties"]!["Role"]!["Fn::GetAtt"]![0]!, f => f);
        foreach (var (role, action, resource) in calls.Where(c => roleOfFunction.ContainsKey(c.Role)))
        {
            Assert.Contains(AwsCalls.ByFunction[roleOfFunction[role]], c => c.Action == action && (c.Resource == AwsResource.DueIndex) == resource.EndsWith("/index/due", StringComparison.Ordinal));
        }

        // And every listed call was made by this run, so the sweep below covers each of them.
        foreach (var (function, listed) in AwsCalls.ByFunction)
        {
            var role = roleOfFunction.Single(r => r.Value == function).Key;
            var missing = listed.Where(c => c.OnlyWhen is null && !calls.Any(made => made.Role == role && made.Action == c.Action && (c.Resource == AwsResource.DueIndex) == made.Resource.EndsWith("/index/due", StringComparison.Ordinal))).ToList();
            Assert.True(missing.Count == 0, $"{function} never made: {string.Join(", ", missing.Select(m => $"{m.Action} on {m.Resource}"))}");
        }

        var distinct = calls.Select(c => (c.Role, c.Action)).Distinct().OrderBy(c => c.Role, StringComparer.Ordinal).ThenBy(c => c.Action, StringComparer.Ordinal).ToList();
        Assert.True(distinct.Count >= 20, $"expected the pipeline's calls, found {distinct.Count}: {string.Join(", ", distinct)}");
        var unnoticed = new List<string>();
        var clock = Stopwatch.StartNew();
        foreach (var (role, action) in distinct)
        {
            var (summary, _, _) = await RunAsync(Without(role, action));
            var refusal = summary.AccessDenials.FirstOrDefault(d => d.Contains($"/{role}/", StringComparison.Ordinal) && d.Contains($"perform: {action} ", StringComparison.Ordinal));
            if (refusal is null || !refusal.StartsWith(AccessDeniedException.ErrorCode + ": ", StringComparison.Ordinal))
            {
                unnoticed.Add($"{role} without {action}: {summary.AccessDenials.Count} refusals ({string.Join("; ", summary.AccessDenials.Take(2))})");
            }
        }

        Assert.True(unnoticed.Count == 0, $"{unnoticed.Count} of {distinct.Count} removals went unnoticed ({clock.Elapsed.TotalSeconds:0} s):\n" + string.Join('\n', unnoticed));
    }

    [Fact]
    public async Task RuleTarget_WhenItMayNotStartTheStateMachine_ShouldDeadLetterEveryEventWhereTheQueuePolicyAllowsIt()
    {
        var events = EventInputs.Read([Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json"), Path.Combine(RepoPaths.Events, "cloudwatch-ok-single-metric.json")]);
        async Task<(RunSummary Summary, IReadOnlyList<ParkedRecord> Parked)> RunAsync(JsonObject template)
        {
            var (summary, _, parked) = await LocalRun.RunAsync(new LocalRunOptions
            {
                Config = TestConfig.AlarmsOnly(),
                Inputs = events,
                Out = TextWriter.Null,
                Err = TextWriter.Null,
                Stack = new LocalStackOptions { Config = TestConfig.AlarmsOnly(), Clock = TimeProvider.System, Template = template },
            });
            return (summary, parked);
        }

        var (refused, deadLettered) = await RunAsync(Without("StartAlertPipelineRole", "states:StartExecution"));

        // Not lost: both events wait in the rule's dead-letter queue, with the error EventBridge would attach.
        Assert.Equal(2, deadLettered.Count(p => p.Queue == LocalStack.EventDeliveryDeadLetterQueueUrl));
        Assert.All(deadLettered, p => Assert.Contains("\"ERROR_CODE\":\"AccessDeniedException\"", p.Body, StringComparison.Ordinal));
        Assert.Equal(2, refused.AccessDenials.Count(d => d.Contains("perform: states:StartExecution ", StringComparison.Ordinal)));

        // The queue's policy lets EventBridge send only for the pipeline's own rules (aws:SourceArn): for any other
        // rule it refuses, and the event is then lost in AWS too. The local stack says so instead of parking it.
        var template = Without("StartAlertPipelineRole", "states:StartExecution");
        var condition = template["Resources"]!["EventDeliveryDeadLetterQueuePolicy"]!["Properties"]!["PolicyDocument"]!["Statement"]![0]!["Condition"]!["ArnEquals"]!.AsObject();
        condition["aws:SourceArn"] = "arn:aws:events:us-east-1:000000000000:rule/another-rule";
        var (lost, none) = await RunAsync(template);

        Assert.DoesNotContain(none, p => p.Queue == LocalStack.EventDeliveryDeadLetterQueueUrl);
        Assert.Equal(2, lost.AccessDenials.Count(d => d.Contains("events.amazonaws.com is not authorized to perform: sqs:SendMessage", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DlqArrivalRule_WhenItsOwnRoleMayNotStartTheStateMachine_ShouldDeadLetterTheArrivalsAndLeaveAlarmsAlone()
    {
        // Alarms start from the default bus (AlarmPipelineRule), DLQ arrivals from the ops bus (DlqArrivalPipelineRule),
        // each under its own role: taking the grant from one stops only its events, and those wait in the dead-letter queue.
        var inputs = EventInputs.Read([Path.Combine(RepoPaths.Events, "cloudwatch-alarm-single-metric.json"), Path.Combine(RepoPaths.Events, "sqs-lambda-async-dlq.json")]);
        var (summary, outbound, parked) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = TestConfig.Sample(),
            Inputs = inputs,
            Out = TextWriter.Null,
            Err = TextWriter.Null,
            Stack = new LocalStackOptions { Config = TestConfig.Sample(), Clock = TimeProvider.System, Template = Without("StartPipelineOnDlqArrivalRole", "states:StartExecution") },
        });

        var arrivals = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Events, "sqs-lambda-async-dlq.json")))!.AsArray().Count;
        var deadLettered = parked.Where(p => p.Queue == LocalStack.EventDeliveryDeadLetterQueueUrl).ToList();
        Assert.Equal(arrivals, deadLettered.Count);
        Assert.All(deadLettered, p => Assert.Contains("DLQ Message Arrived", p.Body, StringComparison.Ordinal));
        Assert.Equal(arrivals, summary.AccessDenials.Count(d => d.Contains("StartPipelineOnDlqArrivalRole", StringComparison.Ordinal) && d.Contains("perform: states:StartExecution ", StringComparison.Ordinal)));
        Assert.Contains(outbound, d => d.AlertKey.EndsWith(":alarm:checkout-api-5xx", StringComparison.Ordinal) && d.Action == "trigger");
    }
}
