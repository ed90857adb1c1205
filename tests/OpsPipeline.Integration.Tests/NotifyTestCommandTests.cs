using System.Text.Json;
using System.Text.Json.Nodes;
using OpsCtl;
using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// `opsctl notify test RECEIVER --local`: the deployed path on the local stack — an operator holding only the
/// template's OpsctlOperatorPolicy finds Deliver by the stack's parameters and invokes it; Deliver reads the local
/// receiver's secret under its own role and sends a message marked [TEST] — and what the receiver answered.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NotifyTestCommandTests
{
    private const string Stamp = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z";

    [Fact]
    public async Task NotifyTest_WhenTheReceiverIsSlack_ShouldSendOneTestMessageAndPrintTheAnswer()
    {
        var (exit, output, err) = await Opsctl("notify", "test", "team", "--local", "--from", "tester");

        Assert.Equal((0, string.Empty), (exit, err));
        Assert.Matches($"^sent to team \\(slack\\) through the local stack's Deliver: \\[TEST\\] opsctl notify test from tester at {Stamp}\ntest: HTTP 200\n$", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task NotifyTest_WhenTheReceiverIsPagerDuty_ShouldTriggerAndResolveTheTestIncidentWithoutShowingTheKey()
    {
        var (exit, output, err) = await Opsctl("notify", "test", "oncall", "--local", "--from", "tester", "--json");

        Assert.Equal((0, string.Empty), (exit, err));
        var result = JsonNode.Parse(output)!;
        Assert.Equal(("oncall", "pagerduty"), ((string?)result["receiver"], (string?)result["channel"]));
        Assert.Matches($"^\\[TEST\\] opsctl notify test from tester at {Stamp}$", (string?)result["summary"]);
        Assert.Equal(
            ["test 202 {\"status\":\"success\",\"message\":\"Event processed\"}", "resolve 202 {\"status\":\"success\",\"message\":\"Event processed\"}"],
            result["answers"]!.AsArray().Select(a => $"{(string?)a!["action"]} {(int)a["status"]!} {(string?)a["body"]}"));
        Assert.DoesNotContain(LocalStack.LocalRoutingKey("oncall"), output, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Refused() => new()
    {
        { "tem", "opsctl notify test: unknown receiver 'tem'; did you mean 'team'?" },
        { "pager", "opsctl notify test: unknown receiver 'pager'; one of: oncall, team, email, drills" },
        { "email", "opsctl notify test: receiver 'email' is sns: the state machine publishes to it natively, not Deliver, so notify test cannot send it" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task NotifyTest_WhenTheReceiverCannotBeTested_ShouldSayWhyInOneLineAndExitTwo(string receiver, string line)
    {
        var (exit, output, err) = await Opsctl("notify", "test", receiver, "--local");

        Assert.Equal((2, string.Empty, line + Environment.NewLine), (exit, output, err));
    }

    [Fact]
    public async Task NotifyTest_WhenLocalIsGivenWithAStack_ShouldRefuseTheMixInOneLine()
    {
        var (exit, _, err) = await Opsctl("notify", "test", "team", "--local", "--stack", "demo");

        Assert.Equal((2, "opsctl notify test: --local sends to the local receivers; it takes no --stack, --region or --profile" + Environment.NewLine), (exit, err));
    }

    [Fact]
    public async Task NotifyTest_WhenTheReceiverRejectsTheMessage_ShouldPrintItsStatusAndBodyAndExitOne()
    {
        var answer = await NotifyCommands.InvokeLocalAsync(TestConfig.Sample(), Request("team"), "tester", null, CancellationToken.None, stack => stack.Faults.Always("team", new ReceiverAnswer(404)));
        var output = new StringWriter();

        var exit = await NotifyCommands.ReportAsync(answer, "the local stack's Deliver", json: false, output, TextWriter.Null);

        Assert.Equal(1, exit);
        Assert.EndsWith("\ntest: HTTP 404 receiver error\n", output.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyTest_WhenRunLocally_ShouldMakeEachCallUnderTheIdentityAwsWouldCheckAndTouchNoState()
    {
        LocalStack? seen = null;

        await NotifyCommands.InvokeLocalAsync(TestConfig.Sample(), Request("team"), "tester", null, CancellationToken.None, stack => seen = stack);

        Assert.Equal(
            [
                ("OpsctlOperatorPolicy", "ssm:GetParametersByPath", "arn:aws:ssm:us-east-1:000000000000:parameter/ops-pipeline"),
                ("OpsctlOperatorPolicy", "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:000000000000:function:ops-deliver"),
                ("DeliverFunctionRole", "ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/ops/slack/team"),
            ],
            seen!.Aws.Calls);
        Assert.Empty(seen.AccessDenials);
    }

    public static TheoryData<string, string> Grants() => new()
    {
        { "lambda:InvokeFunction", "AWS AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/OpsctlOperatorPolicy/tester is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:ops-deliver because no identity-based policy allows the lambda:InvokeFunction action" },
        { "ssm:GetParametersByPath", "User: arn:aws:sts::000000000000:assumed-role/OpsctlOperatorPolicy/tester is not authorized to perform: ssm:GetParametersByPath on resource: arn:aws:ssm:us-east-1:000000000000:parameter/ops-pipeline because no identity-based policy allows the ssm:GetParametersByPath action" },
    };

    [Theory]
    [MemberData(nameof(Grants))]
    public async Task NotifyTest_WhenTheOperatorPolicyLacksAGrant_ShouldBeRefusedByTheLocalStacksIam(string action, string message)
    {
        var template = JsonNode.Parse(File.ReadAllText(RepoPaths.ExpandedTemplate))!.AsObject();
        var statements = template["Resources"]!["OpsctlOperatorPolicy"]!["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        foreach (var s in statements.Where(s => (string?)s!["Action"] == action).ToList())
        {
            statements.Remove(s);
        }

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => NotifyCommands.InvokeLocalAsync(TestConfig.Sample(), Request("team"), "tester", template, CancellationToken.None));

        Assert.Equal(message, refused.Message);
    }

    private static string Request(string receiver) =>
        JsonSerializer.Serialize(new OpsPipeline.Functions.NotifyTestInput(new OpsPipeline.Functions.NotifyTestRequest(receiver, "tester")), OpsPipeline.Functions.FunctionsJsonContext.Default.NotifyTestInput);
}
