using OpsCtl.Local.Aws;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// Reactions (issue 17): the state machine may call exactly the reaction targets the template's parameters name, and
/// nothing when they are empty (the default), so the config's reactions and the deployed permissions cannot drift.
/// </summary>
public class ReactionGrantTests
{
    private const string Role = "PipelineStateMachineRole";
    private const string Session = "ops-pipeline-state-machine";
    private const string Account = "arn:aws:lambda:us-east-1:000000000000";

    private static IamPolicies Granted(params (string Name, string Value)[] parameters) =>
        new(CfnTemplate.Load(RepoFiles.ExpandedTemplate, parameters.ToDictionary(p => p.Name, p => p.Value)));

    public static TheoryData<string, string, string, string> Targets() => new()
    {
        { "ReactionFunctionArns", "lambda:InvokeFunction", $"{Account}:function:restart-orders", $"{Account}:function:other" },
        { "ReactionStateMachineArns", "states:StartExecution", "arn:aws:states:us-east-1:000000000000:stateMachine:failover", "arn:aws:states:us-east-1:000000000000:stateMachine:other" },
        { "ReactionAutomationArns", "ssm:StartAutomationExecution", "arn:aws:ssm:us-east-1:000000000000:automation-definition/AWS-RestartEC2Instance:$DEFAULT", "arn:aws:ssm:us-east-1:000000000000:automation-definition/AWS-DeleteStack:$DEFAULT" },
        { "ReactionEventBusArns", "events:PutEvents", "arn:aws:events:us-east-1:000000000000:event-bus/remediation", "arn:aws:events:us-east-1:000000000000:event-bus/default" },
        { "ReactionRedriveQueueArns", "sqs:StartMessageMoveTask", "arn:aws:sqs:us-east-1:000000000000:orders-dlq", "arn:aws:sqs:us-east-1:000000000000:payments-dlq" },
        { "ReactionRedriveDestinationArns", "sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:orders", "arn:aws:sqs:us-east-1:000000000000:payments" },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void StateMachine_WhenAReactionTargetIsAParameter_ShouldBeGrantedExactlyThatTarget(string parameter, string action, string target, string other)
    {
        var none = Granted();
        var one = Granted((parameter, target));

        Assert.False(none.Evaluate(Role, Session, action, target).Allowed); // the default grants no reaction target
        Assert.True(one.Evaluate(Role, Session, action, target).Allowed);
        var refused = one.Evaluate(Role, Session, action, other);
        Assert.False(refused.Allowed); // nothing wider than the list
        Assert.Contains($"is not authorized to perform: {action} on resource: {other}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateMachine_WhenARedriveQueueIsGranted_ShouldAlsoReadAndDeleteFromItAsTheMoveTaskDoes()
    {
        var dlq = "arn:aws:sqs:us-east-1:000000000000:orders-dlq";
        var iam = Granted(("ReactionRedriveQueueArns", dlq));

        Assert.All(new[] { "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes" }, a => Assert.True(iam.Evaluate(Role, Session, a, dlq).Allowed, a));
        Assert.False(iam.Evaluate(Role, Session, "sqs:PurgeQueue", dlq).Allowed);
    }

    [Fact]
    public void SamConfig_WhenDeployed_ShouldPassEveryReactionParameterEmptyByDefault()
    {
        var overrides = OpsCtl.Local.SamConfig.ParameterOverrides(RepoFiles.SamConfig);

        Assert.All(Targets().Select(t => (string)t[0]), p => Assert.Equal(string.Empty, overrides[p]));
        Assert.Equal("STANDARD", overrides["WorkflowType"]);
    }

    [Fact]
    public void Runs_WhenAnyReactionTargetIsGranted_ShouldBeRecordedByTheStateMachineInTheTableOnly()
    {
        var table = LocalAccount.TableArn(LocalAccount.NameOf("AlertTable"));
        var iam = Granted(("ReactionEventBusArns", "arn:aws:events:us-east-1:000000000000:event-bus/remediation"));

        Assert.False(Granted().Evaluate(Role, Session, "dynamodb:PutItem", table).Allowed); // no reactions: no record either
        Assert.True(iam.Evaluate(Role, Session, "dynamodb:PutItem", table).Allowed);
        Assert.False(iam.Evaluate(Role, Session, "dynamodb:DeleteItem", table).Allowed);
        Assert.False(iam.Evaluate(Role, Session, "dynamodb:PutItem", LocalAccount.TableArn("another-table")).Allowed);
    }

    [Fact]
    public void Tick_WhenRedrivesAndAutomationsAreGranted_ShouldAskHowTheyWentOfExactlyThoseServices()
    {
        const string tick = "TickFunctionRole";
        var dlq = "arn:aws:sqs:us-east-1:000000000000:orders-dlq";
        var execution = "arn:aws:ssm:us-east-1:000000000000:automation-execution/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7";
        var none = Granted();
        var both = Granted(("ReactionRedriveQueueArns", dlq), ("ReactionAutomationArns", "arn:aws:ssm:us-east-1:000000000000:automation-definition/AWS-RestartEC2Instance:$DEFAULT"));

        // Each call AwsCalls lists only with its condition is granted exactly when that condition holds.
        var conditional = OpsPipeline.Functions.AwsCalls.ByFunction["TickFunction"].Where(c => c.OnlyWhen is not null).Select(c => c.Action).Order(StringComparer.Ordinal);
        Assert.Equal(["sqs:ListMessageMoveTasks", "ssm:GetAutomationExecution"], conditional);
        Assert.False(none.Evaluate(tick, "ops-tick", "sqs:ListMessageMoveTasks", dlq).Allowed);
        Assert.False(none.Evaluate(tick, "ops-tick", "ssm:GetAutomationExecution", execution).Allowed);
        Assert.True(both.Evaluate(tick, "ops-tick", "sqs:ListMessageMoveTasks", dlq).Allowed);
        Assert.True(both.Evaluate(tick, "ops-tick", "ssm:GetAutomationExecution", execution).Allowed);
        Assert.False(both.Evaluate(tick, "ops-tick", "sqs:ListMessageMoveTasks", "arn:aws:sqs:us-east-1:000000000000:payments-dlq").Allowed);
        Assert.False(both.Evaluate(tick, "ops-tick", "sqs:StartMessageMoveTask", dlq).Allowed); // the Tick only asks
    }

    [Fact]
    public void StatusRule_WhenStateMachinesAreGranted_ShouldMatchOnlyTheirEndsAndStartThePipelineUnderItsOwnRole()
    {
        var machine = "arn:aws:states:us-east-1:000000000000:stateMachine:failover";
        var none = CfnTemplate.Load(RepoFiles.ExpandedTemplate, new Dictionary<string, string>());
        var one = CfnTemplate.Load(RepoFiles.ExpandedTemplate, new Dictionary<string, string> { ["ReactionStateMachineArns"] = machine });

        Assert.DoesNotContain(none.ResourcesOfType("AWS::Events::Rule"), r => r.LogicalId == "ReactionStatusRule");
        var rule = Assert.Single(one.ResourcesOfType("AWS::Events::Rule"), r => r.LogicalId == "ReactionStatusRule").Resource["Properties"]!;
        var pattern = rule["EventPattern"]!;
        Assert.Equal("default", one.String(rule["EventBusName"], "EventBusName"));
        Assert.Equal(["aws.states"], one.Strings(pattern["source"], "source"));
        Assert.Equal(["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"], one.Strings(pattern["detail"]!["status"], "status"));
        Assert.Equal([machine], one.Strings(pattern["detail"]!["stateMachineArn"], "stateMachineArn"));
        var iam = new IamPolicies(one);
        Assert.True(iam.Evaluate("StartPipelineOnReactionEndRole", "ReactionStatusRule", "states:StartExecution", LocalAccount.StateMachineArn).Allowed);
        Assert.False(iam.Evaluate("StartPipelineOnReactionEndRole", "ReactionStatusRule", "states:StartExecution", machine).Allowed);
    }
}
