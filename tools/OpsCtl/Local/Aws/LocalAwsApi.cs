using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace OpsCtl.Local.Aws;

/// <summary>
/// The AWS JSON APIs the functions call locally — DynamoDB (forwarded to dynalite) and SSM GetParameter (served from
/// the local secrets) — with every call checked against the caller's role in the expanded template, as IAM would:
/// the caller is the access key its request is signed with (each function has its own, named after its role).
/// A call its role does not allow is answered as AWS answers it: HTTP 400, AccessDeniedException, action and
/// resource named.
/// </summary>
public sealed class LocalAwsApi(IamPolicies iam)
{
    private readonly HttpClient _dynalite = new(new SocketsHttpHandler());
    private readonly ConcurrentQueue<string> _denials = new();
    private readonly ConcurrentQueue<(string Role, string Action, string Resource)> _calls = new();
    private readonly ConcurrentDictionary<string, (string Role, string Session)> _identities = new(StringComparer.Ordinal);

    public IamPolicies Iam => iam;

    /// <summary>Where dynalite listens (known once the local stack's Node process is up).</summary>
    public Uri? DynamoEndpoint { get; set; }

    /// <summary>The local SSM parameters (receiver secrets), by name.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// The local reaction targets' answers to the Tick's questions: SSM GetAutomationExecution (by execution id) and
    /// SQS ListMessageMoveTasks (by source queue ARN), each as the service's JSON answer.
    /// </summary>
    public Func<string, JsonObject>? AutomationExecution { get; set; }

    public Func<string, JsonObject>? MoveTasks { get; set; }

    /// <summary>Every call refused, as "AccessDeniedException: message", in order.</summary>
    public IReadOnlyList<string> Denials => [.. _denials];

    /// <summary>Every call allowed, by role, action and resource (what the functions really call).</summary>
    public IReadOnlyList<(string Role, string Action, string Resource)> Calls => [.. _calls];

    /// <summary>The access key a caller signs with to act as <paramref name="role"/> (session: the function's name).</summary>
    public string AccessKeyFor(string role, string session)
    {
        var key = "LOCAL" + role;
        _identities[key] = (role, session);
        return key;
    }

    /// <summary>Checks a call of a known identity, records it, and throws <see cref="AccessDeniedException"/> if refused.</summary>
    public void Demand(string role, string session, string action, string resource, IamContext? context = null)
    {
        try
        {
            iam.Demand(role, session, action, resource, context);
            _calls.Enqueue((role, action, resource));
        }
        catch (AccessDeniedException e)
        {
            _denials.Enqueue($"{AccessDeniedException.ErrorCode}: {e.Message}");
            throw;
        }
    }

    /// <summary>The identity behind a SigV4-signed request (Credential=KEY/date/region/service/aws4_request).</summary>
    public (string Role, string Session)? Caller(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var at = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var key = authorization[(at + "Credential=".Length)..].Split('/')[0];
        return _identities.TryGetValue(key, out var identity) ? identity : null;
    }

    /// <summary>POST / with X-Amz-Target: DynamoDB_20120810.*, AmazonSSM.* or AmazonSQS.*.</summary>
    public async Task HandleAsync(HttpContext http)
    {
        var target = http.Request.Headers["X-Amz-Target"].ToString();
        var body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        if (Caller(http.Request) is not { } caller)
        {
            await AnswerAsync(http, 400, "com.amazon.coral.service#UnrecognizedClientException", "The security token included in the request is invalid.").ConfigureAwait(false);
            return;
        }

        var dot = target.IndexOf('.', StringComparison.Ordinal);
        var (service, operation) = dot > 0 ? (target[..dot], target[(dot + 1)..]) : (target, string.Empty);
        try
        {
            switch (service)
            {
                case "DynamoDB_20120810":
                    foreach (var resource in DynamoResources(operation, JsonNode.Parse(body)))
                    {
                        Demand(caller.Role, caller.Session, "dynamodb:" + operation, resource);
                    }

                    await ForwardToDynaliteAsync(http, target, body).ConfigureAwait(false);
                    return;
                case "AmazonSSM" when operation == "GetParametersByPath":
                    // Authorized against the path asked for, not the parameters returned (as Parameter Store does).
                    var path = (string?)JsonNode.Parse(body)?["Path"] ?? string.Empty;
                    Demand(caller.Role, caller.Session, "ssm:GetParametersByPath", LocalAccount.ParameterArn(path));
                    await GetParametersByPathAsync(http, path).ConfigureAwait(false);
                    return;
                case "AmazonSSM" when operation == "GetParameter":
                    var name = (string?)JsonNode.Parse(body)?["Name"] ?? string.Empty;
                    Demand(caller.Role, caller.Session, "ssm:GetParameter", LocalAccount.ParameterArn(name));
                    await GetParameterAsync(http, name).ConfigureAwait(false);
                    return;
                case "AmazonSSM" when operation == "GetAutomationExecution" && AutomationExecution is { } automation:
                    var id = (string?)JsonNode.Parse(body)?["AutomationExecutionId"] ?? string.Empty;
                    Demand(caller.Role, caller.Session, "ssm:GetAutomationExecution", $"arn:{LocalAccount.Partition}:ssm:{LocalAccount.Region}:{LocalAccount.AccountId}:automation-execution/{id}");
                    await JsonAnswerAsync(http, "application/x-amz-json-1.1", automation(id)).ConfigureAwait(false);
                    return;
                case "AmazonSQS" when operation == "ListMessageMoveTasks" && MoveTasks is { } moveTasks:
                    var source = (string?)JsonNode.Parse(body)?["SourceArn"] ?? string.Empty;
                    Demand(caller.Role, caller.Session, "sqs:ListMessageMoveTasks", source);
                    await JsonAnswerAsync(http, "application/x-amz-json-1.0", moveTasks(source)).ConfigureAwait(false);
                    return;
                default:
                    await AnswerAsync(http, 400, "UnknownOperationException", $"the local stack does not serve {target}").ConfigureAwait(false);
                    return;
            }
        }
        catch (AccessDeniedException e)
        {
            await AnswerAsync(http, 400, "com.amazon.coral.service#AccessDeniedException", e.Message).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException e)
        {
            await AnswerAsync(http, 400, "com.amazon.coral.service#SerializationException", e.Message).ConfigureAwait(false);
        }
    }

    /// <summary>The ARNs a DynamoDB request acts on: its table, its index (Query/Scan), every table of a batch.</summary>
    public static IReadOnlyList<string> DynamoResources(string operation, JsonNode? request)
    {
        if (operation is "BatchGetItem" or "BatchWriteItem")
        {
            return [.. (request?["RequestItems"] as JsonObject ?? []).Select(t => LocalAccount.TableArn(t.Key))];
        }

        var table = (string?)request?["TableName"] ?? throw new AccessDeniedException($"{operation} without a TableName");
        return (string?)request?["IndexName"] is { } index
            ? [LocalAccount.TableArn(table) + "/index/" + index]
            : [LocalAccount.TableArn(table)];
    }

    private async Task ForwardToDynaliteAsync(HttpContext http, string target, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, DynamoEndpoint ?? throw new InvalidOperationException("dynalite is not up")) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        // dynalite checks that a request is signed, not by whom: sign it as the local operator.
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=local/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", "20261201T000000Z");
        using var response = await _dynalite.SendAsync(request, http.RequestAborted).ConfigureAwait(false);
        http.Response.StatusCode = (int)response.StatusCode;
        http.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/x-amz-json-1.0";
        if (response.Headers.TryGetValues("x-amz-crc32", out var crc))
        {
            http.Response.Headers["x-amz-crc32"] = crc.First();
        }

        await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The stack's own String parameters (the template's AWS::SSM::Parameter resources, evaluated in the local
    /// account), by name: what `opsctl --stack` reads from a deployed stack.
    /// </summary>
    public IReadOnlyDictionary<string, string> StackParameters => _stackParameters ??= iam.Template.ResourcesOfType("AWS::SSM::Parameter")
        .ToDictionary(
            r => iam.Template.String(r.Resource["Properties"]?["Name"], $"{r.LogicalId}.Name"),
            r => iam.Template.String(r.Resource["Properties"]?["Value"], $"{r.LogicalId}.Value"),
            StringComparer.Ordinal);

    private IReadOnlyDictionary<string, string>? _stackParameters;

    private async Task GetParametersByPathAsync(HttpContext http, string path)
    {
        var prefix = path.TrimEnd('/') + "/";
        var found = new JsonArray();
        foreach (var (name, value) in StackParameters.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal) && !p.Key[prefix.Length..].Contains('/', StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            found.Add(new JsonObject { ["ARN"] = LocalAccount.ParameterArn(name), ["DataType"] = "text", ["Name"] = name, ["Type"] = "String", ["Value"] = value, ["Version"] = 1 });
        }

        http.Response.ContentType = "application/x-amz-json-1.1";
        await http.Response.WriteAsync(new JsonObject { ["Parameters"] = found }.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
    }

    private async Task GetParameterAsync(HttpContext http, string name)
    {
        if (!Parameters.TryGetValue(name, out var value))
        {
            await AnswerAsync(http, 400, "ParameterNotFound", $"Parameter {name} not found.").ConfigureAwait(false);
            return;
        }

        var answer = new JsonObject
        {
            ["Parameter"] = new JsonObject
            {
                ["ARN"] = LocalAccount.ParameterArn(name),
                ["DataType"] = "text",
                ["LastModifiedDate"] = 1764547200,
                ["Name"] = name,
                ["Type"] = "SecureString",
                ["Value"] = value,
                ["Version"] = 1,
            },
        };
        http.Response.ContentType = "application/x-amz-json-1.1";
        await http.Response.WriteAsync(answer.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task JsonAnswerAsync(HttpContext http, string contentType, JsonObject answer)
    {
        http.Response.ContentType = contentType;
        await http.Response.WriteAsync(answer.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task AnswerAsync(HttpContext http, int status, string type, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/x-amz-json-1.0";
        await http.Response.WriteAsync(new JsonObject { ["__type"] = type, ["Message"] = message, ["message"] = message }.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
    }
}
