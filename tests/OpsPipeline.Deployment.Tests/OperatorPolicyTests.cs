using OpsCtl.Deployed;
using OpsCtl.Local.Aws;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// What opsctl --stack reads and what its operator may do: the stack's String SSM parameters are exactly the names
/// opsctl looks up (no secret among them), and the template's OpsctlOperatorPolicy grants exactly opsctl's operator
/// calls (<see cref="OperatorCalls"/>), in both directions.
/// </summary>
public class OperatorPolicyTests
{
    private const string Policy = "OpsctlOperatorPolicy";
    private static readonly CfnTemplate Expanded = CfnTemplate.Load(RepoFiles.ExpandedTemplate);
    private static readonly IamPolicies Iam = new(Expanded);

    private static string ArnOf(OperatorResource resource) => resource switch
    {
        OperatorResource.StackParameterPath => LocalAccount.ParameterArn(StackOutputs.PathOf(LocalAccount.StackName)),
        OperatorResource.DeliverFunction => LocalAccount.FunctionArn("DeliverFunction"),
        _ => throw new ArgumentOutOfRangeException(nameof(resource)),
    };

    [Fact]
    public void StackParameters_WhenDeployed_ShouldBeTheNamesOpsctlReadsUnderTheStacksPath()
    {
        var parameters = Expanded.ResourcesOfType("AWS::SSM::Parameter")
            .Select(p => (Name: Expanded.String(p.Resource["Properties"]?["Name"], p.LogicalId), Type: Expanded.String(p.Resource["Properties"]?["Type"], p.LogicalId)))
            .ToList();

        Assert.Equal(
            StackOutputs.Names.Select(n => $"/{LocalAccount.StackName}/{n}").Order(StringComparer.Ordinal),
            parameters.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(parameters, p => Assert.Equal("String", p.Type));
    }

    [Theory]
    [InlineData(StackOutputs.AlertTableName, "AlertTable")]
    [InlineData(StackOutputs.DeliverFunctionArn, "DeliverFunction")]
    [InlineData(StackOutputs.FailedDeliveryQueueUrl, "FailedDeliveryQueue")]
    public void StackParameter_WhenDeployed_ShouldHoldTheResourceOpsctlUsesItFor(string name, string logicalId)
    {
        var parameter = Expanded.ResourcesOfType("AWS::SSM::Parameter").Single(p => Expanded.String(p.Resource["Properties"]?["Name"], p.LogicalId).EndsWith("/" + name, StringComparison.Ordinal));
        var expected = logicalId switch
        {
            "AlertTable" => LocalAccount.NameOf(logicalId),
            "DeliverFunction" => LocalAccount.FunctionArn(logicalId),
            _ => LocalAccount.QueueUrl(logicalId),
        };

        Assert.Equal(expected, Expanded.String(parameter.Resource["Properties"]?["Value"], parameter.LogicalId));
    }

    [Fact]
    public void OperatorCalls_WhenOpsctlMakesThem_ShouldEachBeAllowedByTheOperatorPolicy()
    {
        var refused = OperatorCalls.All
            .Select(c => (Call: c, Decision: Iam.Evaluate(Policy, "operator", c.Action, ArnOf(c.Resource))))
            .Where(d => !d.Decision.Allowed)
            .Select(d => $"{d.Decision.Message} (made by {d.Call.MadeBy})")
            .ToList();

        Assert.True(refused.Count == 0, string.Join('\n', refused));
    }

    [Fact]
    public void OperatorPolicy_WhenItGrants_ShouldServeOnlyCallsOpsctlMakes()
    {
        var unused = Iam.StatementsOf(Policy)
            .SelectMany(s => s.Actions.SelectMany(a => s.Resources.Select(r => (Statement: s.Where, Action: a, Resource: r))))
            .Where(g => !OperatorCalls.All.Any(c => string.Equals(c.Action, g.Action, StringComparison.OrdinalIgnoreCase) && IamPolicies.Matches(g.Resource, ArnOf(c.Resource), ignoreCase: false)))
            .Select(g => $"{g.Statement}: {g.Action} on {g.Resource} serves no call in OperatorCalls.All")
            .ToList();

        Assert.True(unused.Count == 0, string.Join('\n', unused));
        Assert.All(Iam.StatementsOf(Policy), s => Assert.True(s.Allow));
    }

    [Fact]
    public void OperatorPolicy_WhenEvaluated_ShouldNotLetTheOperatorReadAReceiverSecret()
    {
        var decision = Iam.Evaluate(Policy, "operator", "ssm:GetParameter", LocalAccount.ParameterArn("/ops/slack/team"));

        Assert.False(decision.Allowed);
    }
}
