using OpsCtl.Local.Aws;
using OpsPipeline.Functions;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// Each function's policy in the SAM expansion (the roles that get deployed) against the calls it makes
/// (<see cref="AwsCalls"/>), in both directions: no call without a grant, no grant without a call.
/// </summary>
public class FunctionPolicyTests
{
    private static readonly CfnTemplate Expanded = CfnTemplate.Load(RepoFiles.ExpandedTemplate);
    private static readonly IamPolicies Iam = new(Expanded);

    public static TheoryData<string> Functions() => [.. AwsCalls.ByFunction.Keys];

    private static string RoleOf(string function) =>
        Expanded.String(Expanded.Resource(function)!["Properties"]!["Role"], $"{function}.Role").Split('/')[^1];

    /// <summary>The ARN a call acts on in the local account, as the expanded template's policies name it.</summary>
    private static string ArnOf(AwsResource resource)
    {
        var table = LocalAccount.TableArn(LocalAccount.NameOf("AlertTable"));
        var prefix = (string?)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(RepoFiles.ExpandedTemplate))!["Parameters"]!["SecretsPrefix"]!["Default"];
        return resource switch
        {
            AwsResource.Table => table,
            AwsResource.DueIndex => table + "/index/due",
            AwsResource.SecretParameter => LocalAccount.ParameterArn(prefix + "team/slack-webhook"),
            _ => throw new ArgumentOutOfRangeException(nameof(resource)),
        };
    }

    [Fact]
    public void Functions_WhenListed_ShouldBeEveryFunctionOfTheTemplate()
    {
        Assert.Equal(
            Expanded.ResourcesOfType("AWS::Lambda::Function").Select(f => f.LogicalId).Order(StringComparer.Ordinal),
            AwsCalls.ByFunction.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Calls_WhenTheFunctionMakesThem_ShouldEachBeAllowedByItsRole(string function)
    {
        var role = RoleOf(function);
        // The expansion has the default parameters (no reaction targets): the calls made only with targets are held
        // against the grants given with them in ReactionGrantTests.
        var refused = AwsCalls.ByFunction[function]
            .Where(c => c.OnlyWhen is null)
            .Select(c => (Call: c, Decision: Iam.Evaluate(role, function, c.Action, ArnOf(c.Resource))))
            .Where(d => !d.Decision.Allowed)
            .Select(d => $"{AccessDeniedException.ErrorCode}: {d.Decision.Message} (made by {d.Call.MadeBy})")
            .ToList();

        Assert.True(refused.Count == 0, string.Join('\n', refused));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Grants_WhenTheRoleHasThem_ShouldEachServeACallTheFunctionMakes(string function)
    {
        var calls = AwsCalls.ByFunction[function].Where(c => c.OnlyWhen is null).ToList();
        // Only the role's own policies: the managed ones SAM attaches grant logs and X-Ray writes, which the runtime makes.
        var unused = Iam.StatementsOf(RoleOf(function))
            .Where(s => s.Allow && !s.Where.Contains(":policy/", StringComparison.Ordinal))
            .SelectMany(s => s.Actions.SelectMany(a => s.Resources.Select(r => (Statement: s.Where, Action: a, Resource: r))))
            .Where(g => !calls.Any(c => string.Equals(c.Action, g.Action, StringComparison.OrdinalIgnoreCase) && IamPolicies.Matches(g.Resource, ArnOf(c.Resource), ignoreCase: false)))
            .Select(g => $"{g.Statement}: {g.Action} on {g.Resource} serves no call in AwsCalls.ByFunction[\"{function}\"]")
            .ToList();

        Assert.True(unused.Count == 0, string.Join('\n', unused));
    }

    [Fact]
    public void Grants_WhenAnActionIsRemoved_ShouldRefuseTheCallsThatNeedIt()
    {
        // The evaluator the local stack enforces, on the expansion with the Tick's BatchGetItem taken out (the fault
        // this repository first had): the Tick's reading of due work is refused, naming action and resource.
        var template = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(RepoFiles.ExpandedTemplate))!.AsObject();
        foreach (var statement in template["Resources"]!["TickFunctionRole"]!["Properties"]!["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()))
        {
            if (statement!["Action"] is System.Text.Json.Nodes.JsonArray actions)
            {
                foreach (var a in actions.Where(a => (string?)a == "dynamodb:BatchGetItem").ToList())
                {
                    actions.Remove(a);
                }
            }
        }

        var decision = new IamPolicies(new CfnTemplate(template)).Evaluate("TickFunctionRole", "ops-tick", "dynamodb:BatchGetItem", ArnOf(AwsResource.Table));

        Assert.False(decision.Allowed);
        Assert.Equal(
            "User: arn:aws:sts::000000000000:assumed-role/TickFunctionRole/ops-tick is not authorized to perform: dynamodb:BatchGetItem on resource: "
            + "arn:aws:dynamodb:us-east-1:000000000000:table/ops-pipeline because no identity-based policy allows the dynamodb:BatchGetItem action",
            decision.Message);
    }
}
