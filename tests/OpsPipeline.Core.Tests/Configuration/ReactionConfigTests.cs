using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Tests.Configuration;

/// <summary>reactions: each kind read as written, its defaults, and every mistake named at its line and field.</summary>
public class ReactionConfigTests
{
    private const string Base = """
        receivers:
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
        route:
          receiver: team

        """;

    private const string Restart = "reactions:\n  - name: restart-orders\n    match: { service: orders }\n";

    [Fact]
    public void Load_WhenEveryKindIsWritten_ShouldReadTargetsGuardsAndInput()
    {
        var config = ConfigLoader.Load(Base + """
            reactions:
              - name: restart-orders
                match: { service: orders }
                action: { lambda: { functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:restart-orders" } }
                input: { service: "{{labels.service}}", why: "{{alert.name}} {{alert.state}}", force: true, count: 2 }
              - name: failover
                matchers: ["service=~orders|payments"]
                action: { stepFunctions: { stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:failover" } }
                cooldown: 2h
                maxPerHour: 3
                evenWhenMuted: true
              - name: reboot
                match: { kind: host }
                action: { ssmAutomation: { documentName: AWS-RestartEC2Instance, parameters: { InstanceId: "{{labels.instance}}" } } }
              - name: ticket
                match: { severity: warning }
                action: { eventBridge: { eventBusArn: "arn:aws:events:eu-west-1:123456789012:event-bus/tickets", detailType: Open Ticket } }
              - name: redrive-orders
                match: { alarmName: orders-consumer-errors }
                on: resolved
                action: { sqsRedrive: { sourceArn: "arn:aws:sqs:eu-west-1:123456789012:orders-dlq", destinationArn: "arn:aws:sqs:eu-west-1:123456789012:orders" } }
            """, "ok.yaml");

        Assert.Equal(["restart-orders", "failover", "reboot", "ticket", "redrive-orders"], config.Reactions.Select(r => r.Name));
        var restart = config.Reactions[0];
        Assert.Equal((ReactionKind.Lambda, "arn:aws:lambda:eu-west-1:123456789012:function:restart-orders"), (restart.Action.Kind, restart.Action.Target));
        Assert.Equal((ReactionOn.Firing, TimeSpan.FromMinutes(30), 10, false), (restart.On, restart.Cooldown, restart.MaxPerHour, restart.EvenWhenMuted));
        Assert.Equal("""{"service":"{{labels.service}}","why":"{{alert.name}} {{alert.state}}","force":true,"count":2}""", restart.InputTemplate);
        Assert.Equal("{service=orders}", restart.Match.ToString());
        var failover = config.Reactions[1];
        Assert.Equal((ReactionKind.StepFunctions, TimeSpan.FromHours(2), 3, true, (string?)null), (failover.Action.Kind, failover.Cooldown, failover.MaxPerHour, failover.EvenWhenMuted, failover.InputTemplate));
        Assert.Equal("{service=~orders|payments}", failover.Match.ToString());
        Assert.Equal((ReactionKind.SsmAutomation, "AWS-RestartEC2Instance", "{{labels.instance}}"), (config.Reactions[2].Action.Kind, config.Reactions[2].Action.Target, config.Reactions[2].Action.Parameters["InstanceId"]));
        Assert.Equal((ReactionKind.EventBridge, "Open Ticket"), (config.Reactions[3].Action.Kind, config.Reactions[3].Action.DetailType));
        var redrive = config.Reactions[4];
        Assert.Equal((ReactionKind.SqsRedrive, ReactionOn.Resolved, "arn:aws:sqs:eu-west-1:123456789012:orders-dlq", "arn:aws:sqs:eu-west-1:123456789012:orders"), (redrive.Action.Kind, redrive.On, redrive.Action.Target, redrive.Action.DestinationArn));
    }

    [Fact]
    public void Load_WhenNoReactions_ShouldHaveNone()
    {
        Assert.Empty(ConfigLoader.Load(Base, "ok.yaml").Reactions);
    }

    /// <summary>Broken reaction, the line of the error, its field path, and a fragment of its message.</summary>
    public static TheoryData<string, int, string, string> BrokenReactions => new()
    {
        // Names are unique.
        { Restart + "    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n  - name: restart-orders\n    match: { a: b }\n    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n", 10, "reactions[1].name", "reaction 'restart-orders' is already defined at line 7" },

        // A reaction needs a match, and an action.
        { "reactions:\n  - name: r\n    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n", 7, "reactions[0].match", "is required (or matchers)" },
        { Restart, 7, "reactions[0].action", "is required" },

        // Matchers are read as routes read them.
        { "reactions:\n  - name: r\n    matchers: [\"service!\"]\n    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n", 8, "reactions[0].matchers[0]", "character 8 ('!') after label 'service' is not one of the operators" },

        // on is firing or resolved.
        { Restart + "    on: recovered\n    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n", 9, "reactions[0].on", "must be firing or resolved, got 'recovered'" },

        // Exactly one action kind, each with its target's shape.
        { Restart + "    action: {}\n", 9, "reactions[0].action", "needs exactly one kind: lambda, stepFunctions, ssmAutomation, eventBridge, sqsRedrive" },
        { Restart + "    action:\n      lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" }\n      eventBridge: { eventBusArn: \"arn:aws:events:eu-west-1:123456789012:event-bus/b\", detailType: x }\n", 11, "reactions[0].action.eventBridge", "a reaction has exactly one action, this one also has lambda" },
        { Restart + "    action: { lamda: {} }\n", 9, "reactions[0].action.lamda", "did you mean 'lambda'?" },
        { Restart + "    action: { lambda: { functionArn: restart-orders } }\n", 9, "reactions[0].action.lambda.functionArn", "must be a Lambda function ARN (arn:aws:lambda:region:account:function:name), got 'restart-orders'" },
        { Restart + "    action: { stepFunctions: { stateMachineArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n", 9, "reactions[0].action.stepFunctions.stateMachineArn", "must be a state machine ARN" },
        { Restart + "    action: { ssmAutomation: { documentName: \"a b\" } }\n", 9, "reactions[0].action.ssmAutomation.documentName", "must be an SSM document name" },
        { Restart + "    action: { eventBridge: { eventBusArn: \"arn:aws:events:eu-west-1:123456789012:rule/r\", detailType: x } }\n", 9, "reactions[0].action.eventBridge.eventBusArn", "must be an event bus ARN" },
        { Restart + "    action: { eventBridge: { eventBusArn: \"arn:aws:events:eu-west-1:123456789012:event-bus/b\" } }\n", 9, "reactions[0].action.eventBridge.detailType", "is required" },
        { Restart + "    action: { sqsRedrive: { sourceArn: \"arn:aws:sqs:eu-west-1:123456789012:dlq\", destinationArn: \"https://sqs.eu-west-1.amazonaws.com/123456789012/q\" } }\n", 9, "reactions[0].action.sqsRedrive.destinationArn", "must be an SQS queue ARN" },
        { Restart + "    action: { sqsRedrive: {} }\n", 9, "reactions[0].action.sqsRedrive.sourceArn", "is required" },

        // Placeholders are the alert's fields and labels, nothing else.
        { Restart + "    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n    input:\n      target: \"{{alert.service}}\"\n", 11, "reactions[0].input.target", "unknown placeholder {{alert.service}}" },
        { Restart + "    action: { ssmAutomation: { documentName: AWS-RestartEC2Instance, parameters: { InstanceId: \"{{label.instance}}\" } } }\n", 9, "reactions[0].action.ssmAutomation.parameters.InstanceId", "unknown placeholder {{label.instance}}" },
        { Restart + "    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n    input: restart\n", 10, "reactions[0].input", "must be a mapping (the JSON object sent), got 'restart'" },
        { Restart + "    action: { sqsRedrive: { sourceArn: \"arn:aws:sqs:eu-west-1:123456789012:dlq\" } }\n    input: { a: b }\n", 10, "reactions[0].input", "an sqsRedrive reaction takes no input" },

        // Guards.
        { Restart + "    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n    cooldown: 30\n", 10, "reactions[0].cooldown", "must be a duration like 30s" },
        { Restart + "    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n    maxPerHour: 0\n", 10, "reactions[0].maxPerHour", "must be between 1 and 1000, got 0" },
        { Restart + "    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n    maxPerHour: 1001\n", 10, "reactions[0].maxPerHour", "must be between 1 and 1000, got 1001" },
        { Restart + "    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n    evenWhenMuted: yes\n", 10, "reactions[0].evenWhenMuted", "must be true or false, got 'yes'" },
        { Restart + "    action: { lambda: { functionArn: \"arn:aws:lambda:eu-west-1:123456789012:function:f\" } }\n    cooldwn: 5m\n", 10, "reactions[0].cooldwn", "did you mean 'cooldown'?" },
    };

    [Theory]
    [MemberData(nameof(BrokenReactions))]
    public void Load_WhenReactionBroken_ShouldReportLineAndField(string reactions, int line, string field, string fragment)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Base + reactions, "bad.yaml"));

        var error = Assert.Single(e.Errors, x => x.Field == field);
        Assert.Equal(line, error.Line);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains($"bad.yaml:{line}:{error.Column}: {field}: {error.Message}", e.Message.Split('\n'));
    }
}
