using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpsCtl.Local.Aws;

/// <summary>One statement of an IAM policy, with its intrinsic functions already evaluated.</summary>
public sealed record IamStatement(string Where, bool Allow, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, JsonObject? Condition);

/// <summary>The request context IAM conditions read (only the keys the template uses).</summary>
public sealed record IamContext(string? SourceArn = null, string? SourceAccount = null);

/// <summary>What IAM answered, and the message AWS gives when it says no.</summary>
public sealed record IamDecision(bool Allowed, string Message);

/// <summary>A call the local stack refused because the caller's policies do not allow it.</summary>
public sealed class AccessDeniedException(string message) : Exception(message)
{
    public const string ErrorCode = "AccessDeniedException";
}

/// <summary>
/// The identity-based policies of every role in the expanded template, evaluated as IAM does for a call within one
/// account: an explicit Deny wins, then any Allow, otherwise the implicit deny. Only what the template uses is
/// evaluated (actions and resources with * and ? wildcards, conditions on aws:SourceArn and aws:SourceAccount); a
/// NotAction, NotResource, an unknown condition or an unknown managed policy is an error at load, never an allow.
/// </summary>
public sealed class IamPolicies
{
    /// <summary>
    /// The AWS managed policies SAM attaches, by what they grant (their published documents): logs and X-Ray
    /// writes on "*". None of them grants an action the local stack serves.
    /// </summary>
    private static readonly Dictionary<string, string[]> ManagedPolicies = new(StringComparer.Ordinal)
    {
        ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"] = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"] = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
    };

    private readonly Dictionary<string, List<IamStatement>> _byRole = new(StringComparer.Ordinal);

    private readonly Dictionary<string, List<IamStatement>> _byManagedPolicy = new(StringComparer.Ordinal);

    public IamPolicies(CfnTemplate template)
    {
        Template = template;
        foreach (var (role, resource) in template.ResourcesOfType("AWS::IAM::Role"))
        {
            var statements = _byRole[role] = [];
            var properties = resource["Properties"] as JsonObject ?? [];
            var policies = template.Evaluate(properties["Policies"], $"{role}.Policies") as JsonArray ?? [];
            foreach (var policy in policies)
            {
                var name = (string?)policy?["PolicyName"] ?? "?";
                statements.AddRange(Statements(policy?["PolicyDocument"], $"{role}.{name}"));
            }

            foreach (var arn in template.Strings(properties["ManagedPolicyArns"], $"{role}.ManagedPolicyArns"))
            {
                var actions = ManagedPolicies.GetValueOrDefault(arn)
                    ?? throw new CfnEvaluationException($"{role}: the local stack cannot evaluate the managed policy {arn}");
                statements.Add(new IamStatement($"{role}.{arn}", true, actions, ["*"], null));
            }
        }

        // A managed policy the template offers people (the operators' OpsctlOperatorPolicy): evaluated as an identity
        // that has only it attached, named by its logical id, so opsctl's own calls are checked as the functions' are.
        foreach (var (id, resource) in template.ResourcesOfType("AWS::IAM::ManagedPolicy"))
        {
            var properties = resource["Properties"] as JsonObject ?? [];
            if (properties.ContainsKey("Roles") || properties.ContainsKey("Users") || properties.ContainsKey("Groups"))
            {
                throw new CfnEvaluationException($"{id}: the local stack evaluates a managed policy only as its own identity, not attached to Roles, Users or Groups");
            }

            _byManagedPolicy[id] = [.. Statements(properties["PolicyDocument"], id)];
        }

        foreach (var (id, resource) in template.ResourcesOfType("AWS::IAM::Policy"))
        {
            var properties = template.Evaluate(resource["Properties"], id) as JsonObject ?? [];
            foreach (var role in template.Strings(properties["Roles"], $"{id}.Roles"))
            {
                var owner = _byRole.Keys.FirstOrDefault(r => LocalAccount.NameOf(r) == role)
                    ?? throw new CfnEvaluationException($"{id}: attaches to a role that is not in the template: {role}");
                _byRole[owner].AddRange(Statements(properties["PolicyDocument"], id));
            }
        }
    }

    public CfnTemplate Template { get; }

    /// <summary>
    /// Whether a queue's resource policy (AWS::SQS::QueuePolicy) lets an AWS service principal call
    /// <paramref name="action"/> on it, as EventBridge needs to dead-letter a rule's events.
    /// </summary>
    public IamDecision QueueAllowsService(string queueUrl, string queueArn, string service, string action, IamContext context)
    {
        foreach (var (id, resource) in Template.ResourcesOfType("AWS::SQS::QueuePolicy"))
        {
            var properties = Template.Evaluate(resource["Properties"], id) as JsonObject ?? [];
            if (!Template.Strings(properties["Queues"], $"{id}.Queues").Contains(queueUrl, StringComparer.Ordinal))
            {
                continue;
            }

            var statements = properties["PolicyDocument"]?["Statement"] as JsonArray ?? [];
            var allowed = false;
            foreach (var statement in statements.OfType<JsonObject>())
            {
                foreach (var unsupported in new[] { "NotAction", "NotResource", "NotPrincipal" })
                {
                    if (statement.ContainsKey(unsupported))
                    {
                        throw new CfnEvaluationException($"{id}: the local stack does not evaluate {unsupported} in a resource policy");
                    }
                }

                var principal = statement["Principal"]?["Service"];
                var services = principal is JsonArray a ? a.Select(p => (string?)p).ToList() : [(string?)principal];
                var condition = statement["Condition"] as JsonObject;
                if (condition is not null)
                {
                    CheckCondition(condition, id);
                }

                var candidate = new IamStatement(id, (string?)statement["Effect"] == "Allow", Template.Strings(statement["Action"], $"{id}.Action"), Template.Strings(statement["Resource"], $"{id}.Resource"), condition);
                var applies = (services.Contains(service) || services.Contains("*")) && candidate.Actions.Any(x => Matches(x, action, ignoreCase: true)) && candidate.Resources.Any(r => Matches(r, queueArn, ignoreCase: false)) && Holds(candidate, context);
                if (applies && !candidate.Allow)
                {
                    return new(false, $"{service} is not authorized to perform: {action} on resource: {queueArn} with an explicit deny in a resource-based policy");
                }

                allowed |= applies;
            }

            if (allowed)
            {
                return new(true, $"allowed by {id}");
            }
        }

        return new(false, $"{service} is not authorized to perform: {action} on resource: {queueArn} because no resource-based policy allows it (source {context.SourceArn})");
    }

    /// <summary>The roles (logical ids) the template defines.</summary>
    public IReadOnlyCollection<string> Roles => _byRole.Keys;

    /// <summary>The managed policies (logical ids) the template defines for people to attach.</summary>
    public IReadOnlyCollection<string> TemplateManagedPolicies => _byManagedPolicy.Keys;

    /// <summary>Every statement of a role's identity-based policies (or of a managed policy of the template, as its own identity).</summary>
    public IReadOnlyList<IamStatement> StatementsOf(string role) =>
        _byRole.TryGetValue(role, out var s) ? s
        : _byManagedPolicy.TryGetValue(role, out var m) ? m
        : throw new CfnEvaluationException($"no role named {role} in the template");

    /// <summary>Whether <paramref name="role"/> may call <paramref name="action"/> on <paramref name="resource"/>.</summary>
    public IamDecision Evaluate(string role, string session, string action, string resource, IamContext? context = null)
    {
        var matching = StatementsOf(role).Where(s => s.Actions.Any(a => Matches(a, action, ignoreCase: true)) && s.Resources.Any(r => Matches(r, resource, ignoreCase: false)) && Holds(s, context)).ToList();
        var principal = LocalAccount.AssumedRole(LocalAccount.NameOf(role), session);
        if (matching.Any(s => !s.Allow))
        {
            return new(false, $"User: {principal} is not authorized to perform: {action} on resource: {resource} with an explicit deny in an identity-based policy");
        }

        return matching.Count > 0
            ? new(true, $"allowed by {matching[0].Where}")
            : new(false, $"User: {principal} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action");
    }

    /// <summary>Throws <see cref="AccessDeniedException"/> unless the call is allowed.</summary>
    public void Demand(string role, string session, string action, string resource, IamContext? context = null)
    {
        var decision = Evaluate(role, session, action, resource, context);
        if (!decision.Allowed)
        {
            throw new AccessDeniedException(decision.Message);
        }
    }

    /// <summary>IAM's wildcard match: * any run of characters, ? one character (actions are case-insensitive).</summary>
    public static bool Matches(string pattern, string value, bool ignoreCase) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private IEnumerable<IamStatement> Statements(JsonNode? document, string where)
    {
        List<JsonNode?> statements = document?["Statement"] switch
        {
            JsonArray a => [.. a],
            JsonObject o => [o],
            _ => throw new CfnEvaluationException($"{where}: a policy without statements"),
        };
        var evaluated = new List<IamStatement>();
        for (var i = 0; i < statements.Count; i++)
        {
            var at = $"{where}.Statement[{i}]";
            var statement = Template.Evaluate(statements[i], at) as JsonObject ?? throw new CfnEvaluationException($"{at}: not an object");
            foreach (var unsupported in new[] { "NotAction", "NotResource", "NotPrincipal", "Principal" })
            {
                if (statement.ContainsKey(unsupported))
                {
                    throw new CfnEvaluationException($"{at}: the local stack does not evaluate {unsupported} in an identity-based policy");
                }
            }

            var effect = (string?)statement["Effect"];
            if (effect is not ("Allow" or "Deny"))
            {
                throw new CfnEvaluationException($"{at}: Effect must be Allow or Deny, got {effect}");
            }

            var condition = statement["Condition"] as JsonObject;
            if (condition is not null)
            {
                CheckCondition(condition, at);
            }

            evaluated.Add(new IamStatement(
                at,
                effect == "Allow",
                Template.Strings(statement["Action"], $"{at}.Action"),
                Template.Strings(statement["Resource"], $"{at}.Resource"),
                condition));
        }

        return evaluated;
    }

    private static readonly HashSet<string> ConditionOperators = new(StringComparer.Ordinal) { "StringEquals", "ArnEquals", "ArnLike", "StringLike" };

    private static readonly HashSet<string> ConditionKeys = new(StringComparer.OrdinalIgnoreCase) { "aws:SourceArn", "aws:SourceAccount" };

    private static void CheckCondition(JsonObject condition, string where)
    {
        foreach (var (op, keys) in condition)
        {
            if (!ConditionOperators.Contains(op) || keys is not JsonObject map || map.Any(k => !ConditionKeys.Contains(k.Key)))
            {
                throw new CfnEvaluationException($"{where}: the local stack does not evaluate the condition {op} {keys?.ToJsonString()}");
            }
        }
    }

    /// <summary>Every operator must hold; a key the request does not carry makes the statement not apply.</summary>
    private static bool Holds(IamStatement statement, IamContext? context)
    {
        if (statement.Condition is null)
        {
            return true;
        }

        foreach (var (op, keys) in statement.Condition)
        {
            foreach (var (key, expected) in keys!.AsObject())
            {
                var actual = key.Equals("aws:SourceArn", StringComparison.OrdinalIgnoreCase) ? context?.SourceArn : context?.SourceAccount;
                var values = expected is JsonArray a ? a.Select(v => (string)v!).ToList() : [(string)expected!];
                bool Match(string v) => op switch
                {
                    // ArnLike checks each of the six colon-separated parts on its own: a * never spans a colon.
                    "ArnLike" => v.Split(':', 6) is { Length: 6 } p && actual.Split(':', 6) is { Length: 6 } a && p.Zip(a).All(x => Matches(x.First, x.Second, ignoreCase: false)),
                    "StringLike" => Matches(v, actual, ignoreCase: false),
                    _ => string.Equals(v, actual, StringComparison.Ordinal),
                };
                if (actual is null || !values.Any(Match))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
