using System.Text.Json.Nodes;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// The template as AWS deploys it (AWS::LanguageExtensions, then SAM): tools/local/template.expanded.json is
/// that expansion, current, and every identity in it is its own, trusted by one service, granted without
/// NotAction/NotResource. These check what SAM generates (function roles), which the YAML does not show.
/// </summary>
public sealed class ExpandedTemplateTests
{
    private static readonly Lazy<JsonObject> Committed = new(() => Resources(File.ReadAllText(RepoFiles.ExpandedTemplate)));

    private static readonly Lazy<JsonObject> TwoQueues = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("expand-").FullName;
        try
        {
            var copy = Path.Combine(dir, "template.yaml");
            File.WriteAllText(copy, SamTemplate.WithParameterDefault(File.ReadAllText(RepoFiles.Template), "DlqArns", CfnLintTests.TwoWatchedQueues));
            return Resources(CfnPython.Expand(copy));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    });

    /// <summary>Properties that name the role a resource runs as, by resource type.</summary>
    private static readonly Dictionary<string, Func<JsonObject, IEnumerable<JsonNode?>>> RoleProperties = new(StringComparer.Ordinal)
    {
        ["AWS::Lambda::Function"] = p => [p["Role"]],
        ["AWS::StepFunctions::StateMachine"] = p => [p["RoleArn"]],
        ["AWS::Pipes::Pipe"] = p => [p["RoleArn"]],
        ["AWS::Scheduler::Schedule"] = p => [p["Target"]?["RoleArn"]],
        ["AWS::Events::Rule"] = p => p["Targets"]?.AsArray().Select(t => t?["RoleArn"]).Where(r => r is not null) ?? [],
    };

    [Fact]
    public void ExpandedTemplate_WhenRegenerated_ShouldMatchTheCommittedFile()
    {
        var dir = Directory.CreateTempSubdirectory("expanded-").FullName;
        try
        {
            var fresh = Path.Combine(dir, "template.expanded.json");
            var result = CfnPython.Run("bash", [RepoFiles.ExpandWrapper, fresh], new Dictionary<string, string> { ["PYTHON"] = CfnPython.Interpreter });
            Assert.True(result.ExitCode == 0, $"{RepoFiles.ExpandWrapper} failed (exit {result.ExitCode}):\n{result.Output}");

            Assert.True(
                File.ReadAllText(fresh) == File.ReadAllText(RepoFiles.ExpandedTemplate),
                $"{RepoFiles.ExpandedTemplate} is not the expansion of template.yaml: run tools/aws/expand-template.sh and commit the result.");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Roles_WhenAssumed_ShouldTrustExactlyOneServicePrincipal()
    {
        var roles = RolesOf(Committed.Value).ToList();
        Assert.True(roles.Count >= 8, $"expected the stack's roles (functions, state machine, rules, schedule, Pipe), found {roles.Count}");

        foreach (var (logicalId, role) in roles)
        {
            var statements = Statements(role["Properties"]!["AssumeRolePolicyDocument"]).ToList();
            Assert.NotEmpty(statements);
            var principals = statements.Select(s => s["Principal"]?.AsObject()).ToList();
            Assert.All(principals, p => Assert.True(
                p is not null && p.Select(kv => kv.Key).SequenceEqual(["Service"]),
                $"{logicalId}: a trust statement names a principal other than a service: {p?.ToJsonString()}"));
            var services = principals.SelectMany(p => OneOrMany(p!["Service"])).Distinct(StringComparer.Ordinal).ToList();
            Assert.True(services.Count == 1, $"{logicalId} trusts {services.Count} services: {string.Join(", ", services)}");
        }
    }

    [Fact]
    public void Identities_WhenResourcesRun_ShouldEachHaveARoleOfTheirOwn()
    {
        var resources = Committed.Value;
        var roles = RolesOf(resources).Select(r => r.LogicalId).ToHashSet(StringComparer.Ordinal);
        var users = RoleUsers(resources).ToList();

        var functions = resources.Where(r => Type(r.Value) == "AWS::Lambda::Function").Select(r => r.Key).ToList();
        Assert.Equal(["DecideFunction", "DeliverFunction", "DlqEnrichFunction", "TickFunction"], functions.Order(StringComparer.Ordinal));
        Assert.All(functions, f => Assert.Single(users, u => u.User == f));
        foreach (var (user, role) in users)
        {
            Assert.True(role is not null && roles.Contains(role), $"{user} runs as {role ?? "(not a Fn::GetAtt of a role)"}, not a role of this stack");
        }

        // The one exception: the two state machines run the same definition (events, and the tick on EXPRESS).
        var shared = users.GroupBy(u => u.Role, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Where(g => !(g.Key == "PipelineStateMachineRole" && g.Select(u => u.User).Order(StringComparer.Ordinal).SequenceEqual(["AlertPipelineStateMachine", "TickStateMachine"])))
            .ToList();
        Assert.True(shared.Count == 0, "roles shared: " + string.Join("; ", shared.Select(g => $"{g.Key} by {string.Join(", ", g.Select(u => u.User))}")));
        Assert.Empty(roles.Except(users.Select(u => u.Role!), StringComparer.Ordinal));
    }

    [Fact]
    public void RoleStatements_WhenGranting_ShouldNeverUseNotActionNotResourceOrNotPrincipal()
    {
        foreach (var (logicalId, role) in RolesOf(Committed.Value))
        {
            var properties = role["Properties"]!;
            var statements = Statements(properties["AssumeRolePolicyDocument"])
                .Concat((properties["Policies"]?.AsArray() ?? []).SelectMany(p => Statements(p!["PolicyDocument"])))
                .ToList();
            Assert.NotEmpty(statements);
            foreach (var statement in statements)
            {
                foreach (var negation in new[] { "NotAction", "NotResource", "NotPrincipal" })
                {
                    Assert.False(statement.ContainsKey(negation), $"{logicalId}: statement uses {negation}: {statement.ToJsonString()}");
                }
            }
        }
    }

    [Fact]
    public void DlqPipeRoles_WhenTwoQueuesAreWatched_ShouldEachReachOnlyTheirOwnQueue()
    {
        var resources = TwoQueues.Value;
        var pipes = resources.Where(r => Type(r.Value) == "AWS::Pipes::Pipe").ToList();
        Assert.Equal(2, pipes.Count);
        var sources = new List<string>();

        foreach (var (logicalId, pipe) in pipes)
        {
            var properties = pipe!["Properties"]!;
            var source = properties["Source"]!.GetValue<string>();
            sources.Add(source);
            Assert.Equal("WatchesDlqs", pipe["Condition"]?.GetValue<string>());
            var roleId = GetAttArnOf(properties["RoleArn"]);
            Assert.NotNull(roleId);
            var role = resources[roleId]!;
            Assert.Equal("AWS::IAM::Role", Type(role));
            Assert.Equal("WatchesDlqs", role["Condition"]?.GetValue<string>());

            var grants = role["Properties"]!["Policies"]!.AsArray()
                .SelectMany(p => Statements(p!["PolicyDocument"]))
                .SelectMany(s => OneOrMany(s["Action"]).Select(a => (Action: a, Resources: OneOrMany(s["Resource"]))))
                .ToList();
            Assert.Equal(
                ["events:PutEvents", "lambda:InvokeFunction", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
                grants.Select(g => g.Action).Order(StringComparer.Ordinal));
            Assert.All(grants.Where(g => g.Action.StartsWith("sqs:", StringComparison.Ordinal)), g => Assert.Equal([source], g.Resources));
            Assert.Equal([GetAtt("DlqEnrichFunction")], grants.Single(g => g.Action == "lambda:InvokeFunction").Resources);
            Assert.Equal([GetAtt("OpsBus")], grants.Single(g => g.Action == "events:PutEvents").Resources);
            Assert.True(logicalId.StartsWith("DlqPipe", StringComparison.Ordinal), logicalId);
        }

        Assert.Equal(CfnLintTests.TwoWatchedQueues.Split(','), sources.Order(StringComparer.Ordinal));
    }

    private static JsonObject Resources(string json) => JsonNode.Parse(json)!["Resources"]!.AsObject();

    private static string? Type(JsonNode? resource) => resource?["Type"]?.GetValue<string>();

    private static IEnumerable<(string LogicalId, JsonObject Role)> RolesOf(JsonObject resources) =>
        resources.Where(r => Type(r.Value) == "AWS::IAM::Role").Select(r => (r.Key, r.Value!.AsObject()));

    private static IEnumerable<(string User, string? Role)> RoleUsers(JsonObject resources)
    {
        foreach (var (logicalId, resource) in resources)
        {
            if (RoleProperties.TryGetValue(Type(resource) ?? string.Empty, out var roleOf))
            {
                foreach (var role in roleOf(resource!["Properties"]!.AsObject()))
                {
                    yield return (logicalId, GetAttArnOf(role));
                }
            }
        }
    }

    /// <summary>X for {"Fn::GetAtt": ["X", "Arn"]}, else null.</summary>
    private static string? GetAttArnOf(JsonNode? node) =>
        node is JsonObject { Count: 1 } o && o["Fn::GetAtt"] is JsonArray { Count: 2 } a && a[1]?.GetValue<string>() == "Arn"
            ? a[0]?.GetValue<string>()
            : null;

    private static string GetAtt(string logicalId) => new JsonObject { ["Fn::GetAtt"] = new JsonArray(logicalId, "Arn") }.ToJsonString();

    private static IEnumerable<JsonObject> Statements(JsonNode? document) => document?["Statement"] switch
    {
        JsonArray many => many.Select(s => s!.AsObject()),
        JsonObject one => [one],
        _ => [],
    };

    /// <summary>A value or a list of them, as IAM allows: strings as themselves, intrinsics as their JSON text.</summary>
    private static List<string> OneOrMany(JsonNode? node) => node switch
    {
        null => [],
        JsonArray many => [.. many.Select(Text)],
        _ => [Text(node)],
    };

    private static string Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node!.ToJsonString();
}
