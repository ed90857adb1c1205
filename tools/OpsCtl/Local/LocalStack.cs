using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Notifiers;
using OpsPipeline.Core.Notifiers.Sns;
using OpsPipeline.Functions;
using OpsPipeline.Functions.Adapters;
using OpsCtl.Local.Aws;

namespace OpsCtl.Local;

/// <summary>Options for starting the local stack.</summary>
public sealed record LocalStackOptions
{
    public required PipelineConfig Config { get; init; }

    public required TimeProvider Clock { get; init; }

    /// <summary>Pause of every Retry in the state machine; null keeps the definition's real intervals.</summary>
    public int? RetryIntervalMs { get; init; } = 20;

    /// <summary>Per-attempt HTTP timeout of Deliver.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public TextWriter Log { get; init; } = TextWriter.Null;

    /// <summary>
    /// For tests: a value planted in every local secret (webhook URLs get ?token=, routing keys a suffix), so a test can
    /// scan everything the pipeline writes and prove the secret never leaks.
    /// </summary>
    public string? PlantedSecret { get; init; }

    /// <summary>For fault tests: the share of DynamoDB requests answered as throttled.</summary>
    public double DynamoThrottleRate { get; init; }

    /// <summary>
    /// For all-or-nothing tests: asked for every write a function makes (PutItem, UpdateItem, DeleteItem), in order;
    /// an answer fails that write once (the SDK does not retry it then), as <see cref="WriteFault"/> says.
    /// </summary>
    public Func<string, WriteFault?>? FailWrite { get; init; }

    /// <summary>Keep the local DynamoDB on disk here (alert state, silences, drill reports survive the run); null: in memory.</summary>
    public string? StateDir { get; init; }

    /// <summary>
    /// The SAM-expanded template whose roles, policies, timeouts and limits the local stack enforces; null: the
    /// committed expansion of template.yaml (tools/local/template.expanded.json).
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? Template { get; init; }

    /// <summary>
    /// The template's parameter values, as `sam deploy` would pass them (default: samconfig.toml's parameter_overrides of
    /// the reaction grants): the reaction targets the state machine is granted, so a local run refuses a reaction AWS would.
    /// </summary>
    public IReadOnlyDictionary<string, string>? TemplateParameters { get; init; }

    /// <summary>
    /// The AOT package (make package-aot) whose real bootstrap runs every function (Decide, Deliver, Tick, DlqEnrich),
    /// each behind a local Runtime API, instead of the in-process handlers; null: in process. Needs the wall clock
    /// (the binary reads it).
    /// </summary>
    public string? BootstrapDir { get; init; }

    /// <summary>
    /// The YAML file <see cref="Config"/> was loaded from: the bootstrap reads it (OPS_CONFIG_FILE), so both builds run
    /// one config. Null: the package's own ops-pipeline.yaml.
    /// </summary>
    public string? ConfigFile { get; init; }
}

/// <summary>How an injected write failure answers: a transient fault the pipeline retries, or one it cannot.</summary>
public enum WriteFault
{
    /// <summary>HTTP 500 InternalServerError: Decide turns it into StateConflictException, which the state machine retries.</summary>
    Transient,

    /// <summary>HTTP 400 ResourceNotFoundException: not retried; the execution parks its input.</summary>
    Permanent,
}

/// <summary>
/// The pipeline with no AWS account: dynalite (DynamoDB wire protocol) and aws-local-stepfunctions running the
/// real ASL file in one Node process; in this process, a host serving the Lambda Invoke API over the real
/// handlers, local sinks for the state machine's sns/sqs tasks, and fault-injecting Slack/PagerDuty/webhook receivers.
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    // The local account's names for the template's resources (LocalAccount), as the tests and commands use them.
    public static readonly string TableName = LocalAccount.NameOf("AlertTable");
    public static readonly string FailedDeliveryQueueUrl = LocalAccount.QueueUrl("FailedDeliveryQueue");
    public static readonly string ParkedEventQueueUrl = LocalAccount.QueueUrl("ParkedEventQueue");

    /// <summary>The functions the local Lambda host serves: logical id in the template, and the local name.</summary>
    private static readonly string[] FunctionIds = ["DecideFunction", "DeliverFunction", "TickFunction", "DlqEnrichFunction"];

    private readonly ConcurrentDictionary<string, TaskCompletionSource<ExecutionOutcome>> _executions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<OutboundRecord> _outbound = new();
    private readonly ConcurrentQueue<ParkedRecord> _parked = new();
    private readonly ConcurrentQueue<string> _executionLog = new();
    private readonly SemaphoreSlim _stdinGate = new(1, 1);
    private readonly LocalStackOptions _options;
    private WebApplication? _host;
    private FileStream? _stateLock;
    private Process? _node;
    private Task? _stdoutPump;
    private Task? _stderrPump;
    private long _nextExecution;
    private long _lambdaInvocations;
    private readonly ConcurrentDictionary<string, long> _invocationsByFunction = new(StringComparer.Ordinal);

    private LocalStack(LocalStackOptions options)
    {
        _options = options;
        _bootstraps = options.BootstrapDir is { } dir ? new LocalBootstraps(dir) : null;
    }

    public ReceiverFaults Faults { get; } = new();

    /// <summary>The operator's view of the pipeline (opsctl's own credentials, no IAM check): for inspection, never for a handler.</summary>
    public PipelineRuntime Runtime { get; private set; } = null!;

    /// <summary>The template the stack enforces, expanded and evaluated in the local account.</summary>
    public CfnTemplate Template { get; private set; } = null!;

    /// <summary>The DynamoDB and SSM APIs as the functions see them, with every call checked against their roles.</summary>
    public LocalAwsApi Aws { get; private set; } = null!;

    /// <summary>Every call the local stack refused for want of a permission ("AccessDeniedException: …"), in order.</summary>
    public IReadOnlyList<string> AccessDenials => [.. Aws.Denials, .. _denials];

    private readonly ConcurrentQueue<string> _denials = new();

    /// <summary>Each function's runtime, signed with its own role's credentials, by local function name (ops-decide, …).</summary>
    private readonly Dictionary<string, PipelineRuntime> _functions = new(StringComparer.Ordinal);

    /// <summary>The role each function and service runs as (logical ids in the template).</summary>
    private readonly Dictionary<string, string> _roles = new(StringComparer.Ordinal);

    public IAmazonDynamoDB Dynamo { get; private set; } = null!;

    public CountingDynamoHandler DynamoCounter { get; } = new();

    /// <summary>Notifications that left the pipeline, in the order receivers accepted them.</summary>
    public IReadOnlyList<OutboundRecord> Outbound => [.. _outbound];

    /// <summary>Messages the state machine sent to the failed-delivery or parked-event queue.</summary>
    public IReadOnlyList<ParkedRecord> Parked => [.. _parked];

    public long LambdaInvocations => Interlocked.Read(ref _lambdaInvocations);

    /// <summary>Invocations per function: "ops-decide", "ops-deliver", "ops-tick".</summary>
    public IReadOnlyDictionary<string, long> InvocationsByFunction => new Dictionary<string, long>(_invocationsByFunction);

    /// <summary>Invocations answered by the AOT bootstrap (LocalStackOptions.BootstrapDir), not in process.</summary>
    public long BootstrapInvocations => _bootstraps?.Invocations ?? 0;

    /// <summary>Bootstrap processes started (each function's first invocation, and each after a recycle).</summary>
    public int BootstrapProcessesStarted => _bootstraps?.ProcessesStarted ?? 0;

    /// <summary>Stops every bootstrap process, so each function's next invocation is a cold start (BootstrapDir only).</summary>
    public Task RecycleBootstrapsAsync(CancellationToken ct) =>
        _bootstraps?.RecycleAsync(ct) ?? throw new InvalidOperationException("RecycleBootstrapsAsync: the functions run in process (no BootstrapDir)");

    public string BaseUrl { get; private set; } = string.Empty;

    public static async Task<LocalStack> StartAsync(LocalStackOptions options, CancellationToken ct = default)
    {
        await RepoPaths.EnsureLocalStackInstalledAsync(options.Log, ct).ConfigureAwait(false);
        var stack = new LocalStack(options);
        try
        {
            if (options.BootstrapDir is not null && options.Clock != TimeProvider.System)
            {
                throw new ArgumentException("BootstrapDir: the bootstrap reads the wall clock; run the stack with TimeProvider.System", nameof(options));
            }

            stack._stateLock = LocalState.Lock(options.StateDir);
            stack.LoadTemplate();
            await stack.StartHostAsync(ct).ConfigureAwait(false);
            var dynamoEndpoint = await stack.StartNodeAsync(ct).ConfigureAwait(false);
            await stack.StartRuntimeAsync(dynamoEndpoint, ct).ConfigureAwait(false);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The input EventBridge Scheduler gives the state machine every minute (template.yaml, TickSchedule).</summary>
    public static string TickInput(DateTimeOffset at) =>
        new JsonObject { ["source"] = "ops-pipeline.scheduler", ["detail-type"] = "Scheduled Tick", ["time"] = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) }.ToJsonString();

    /// <summary>
    /// For latency measurements (`opsctl latency`): called with a mark and <see cref="Stopwatch.GetTimestamp"/> as an
    /// execution is started (<c>enter</c>), as each function is invoked and returns (<c>ops-decide in</c>, <c>ops-decide
    /// out</c>, …), as a receiver gets its request (<c>receiver CHANNEL</c>) and as the execution ends (<c>end</c>).
    /// </summary>
    public Action<string, long>? Mark { get; set; }

    /// <summary>Runs one state machine execution on <paramref name="inputJson"/> and waits for its end.</summary>
    public async Task<ExecutionOutcome> ExecuteAsync(string inputJson, CancellationToken ct = default)
    {
        Mark?.Invoke("enter", Stopwatch.GetTimestamp());
        try
        {
            return await StartAndWaitAsync(inputJson, ct).ConfigureAwait(false);
        }
        finally
        {
            Mark?.Invoke("end", Stopwatch.GetTimestamp());
        }
    }

    private async Task<ExecutionOutcome> StartAndWaitAsync(string inputJson, CancellationToken ct)
    {
        var id = "exec-" + Interlocked.Increment(ref _nextExecution).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The Scheduler starts ticks; on the default bus, AlarmPipelineRule starts alarm changes and ReactionStatusRule a
        // reaction's status change; DlqArrivalPipelineRule starts DLQ arrivals on the ops bus: each under its own role.
        var starter = inputJson.Contains("\"ops-pipeline.scheduler\"", StringComparison.Ordinal) && IsTick(inputJson) ? "scheduler"
            : inputJson.Contains("\"aws.states\"", StringComparison.Ordinal) && _roles.ContainsKey("reactionStatus") ? "reactionStatus"
            : inputJson.Contains("\"" + OpsPipeline.Core.Events.DlqEventTypes.MessageArrived + "\"", StringComparison.Ordinal) ? "dlqRule" : "rule";
        try
        {
            if (!_roles.TryGetValue(starter, out var starterRole))
            {
                // No rule of the template would start it (DLQ arrivals without DlqArrivalPipelineRule): in AWS nothing runs.
                throw new CfnEvaluationException($"no rule of the template starts this event ({StarterIds[starter]} is not in the template)");
            }

            // The Scheduler starts the tick's own (EXPRESS) state machine; the rules start the alert pipeline's.
            Aws.Demand(starterRole, StarterIds[starter], "states:StartExecution",
                starter == "scheduler" ? LocalAccount.TickStateMachineArn : LocalAccount.StateMachineArn);
        }
        catch (AccessDeniedException e)
        {
            // A refused StartExecution is not retried by EventBridge or the Scheduler: the event goes to the target's
            // dead-letter queue at once, if the template gives it one and lets the service send there.
            DeadLetter(starter, inputJson, e.Message);
            return new ExecutionOutcome(id, "FAILED", null, AccessDeniedException.ErrorCode, e.Message, 0);
        }

        var done = new TaskCompletionSource<ExecutionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _executions[id] = done;
        // Valid JSON goes through as it is (no re-serialisation that could change it); anything else as a JSON string.
        var line = IsJson(inputJson)
            ? $"{{\"type\":\"start\",\"id\":\"{id}\",\"input\":{inputJson.ReplaceLineEndings(" ")}}}"
            : new JsonObject { ["type"] = "start", ["id"] = id, ["input"] = JsonValue.Create(inputJson) }.ToJsonString();
        await _stdinGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _node!.StandardInput.WriteLineAsync(line.AsMemory(), ct).ConfigureAwait(false);
            await _node.StandardInput.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _stdinGate.Release();
        }

        using var reg = ct.Register(() => done.TrySetCanceled(ct));
        return await done.Task.ConfigureAwait(false);
    }

    /// <summary>What starts an execution, by the local name of its role: the Scheduler's schedule or a rule.</summary>
    private static readonly Dictionary<string, string> StarterIds = new(StringComparer.Ordinal)
    {
        ["scheduler"] = "TickSchedule",
        ["rule"] = "AlarmPipelineRule",
        ["dlqRule"] = "DlqArrivalPipelineRule",
        ["reactionStatus"] = "ReactionStatusRule",
    };

    private static bool IsTick(string inputJson)
    {
        try
        {
            return JsonNode.Parse(inputJson) is JsonObject o && (string?)o["source"] == "ops-pipeline.scheduler";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Events the rule or the Scheduler could not hand to the state machine, in their dead-letter queue.</summary>
    public static readonly string EventDeliveryDeadLetterQueueUrl = LocalAccount.QueueUrl("EventDeliveryDeadLetterQueue");

    /// <summary>
    /// What EventBridge does with an event its target refused: sends it to the target's DeadLetterConfig queue. A rule
    /// sends as the events.amazonaws.com service (the queue's policy must allow it for that rule); the Scheduler sends
    /// as its own role. If neither may, the event is lost in AWS too: that is recorded as a refusal.
    /// </summary>
    private void DeadLetter(string starter, string inputJson, string error)
    {
        var id = StarterIds[starter];
        var target = starter == "scheduler"
            ? Template.Resource(id)?["Properties"]?["Target"]
            : (Template.Resource(id)?["Properties"]?["Targets"] as JsonArray)?.FirstOrDefault();
        if (target?["DeadLetterConfig"]?["Arn"] is not { } arnNode)
        {
            _denials.Enqueue($"{AccessDeniedException.ErrorCode}: {id} has no dead-letter queue, so a refused event is lost: {error}");
            return;
        }

        var queueArn = Template.String(arnNode, $"{id}.DeadLetterConfig.Arn");
        var queueUrl = LocalAccount.QueueUrl(queueArn.Split(':')[^1]);
        if (starter == "scheduler")
        {
            try
            {
                Aws.Demand(_roles["scheduler"], "TickSchedule", "sqs:SendMessage", queueArn);
            }
            catch (AccessDeniedException)
            {
                return; // recorded by Aws.Demand
            }
        }
        else
        {
            var ruleArn = LocalAccount.Attribute(id, "AWS::Events::Rule", "Arn");
            var decision = Aws.Iam.QueueAllowsService(queueUrl, queueArn, "events.amazonaws.com", "sqs:SendMessage", new IamContext(SourceArn: ruleArn, SourceAccount: LocalAccount.AccountId));
            if (!decision.Allowed)
            {
                _denials.Enqueue($"{AccessDeniedException.ErrorCode}: {decision.Message}");
                return;
            }
        }

        _parked.Enqueue(new ParkedRecord(queueUrl, new JsonObject { ["event"] = inputJson, ["ERROR_CODE"] = AccessDeniedException.ErrorCode, ["ERROR_MESSAGE"] = error }.ToJsonString()));
    }

    /// <summary>The roles of the functions, the state machine, the rule, the Scheduler and the Pipe, from the template.</summary>
    private void LoadTemplate()
    {
        // The repository's template is deployed with samconfig.toml's values of the reaction grants (the parameters the
        // SAM expansion leaves to deploy time: Fn::If over their lists). DlqArns is fixed by the expansion (Fn::ForEach
        // over the local stack's placeholder queue), so it is never taken from samconfig.toml. A test's template: its own.
        var parameters = _options.TemplateParameters ?? (_options.Template is null
            ? SamConfig.ParameterOverrides(RepoPaths.SamConfig).Where(p => OpsPipeline.Core.Configuration.ReactionGrants.TemplateParameters.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
            : null);
        Template = _options.Template is { } t ? new CfnTemplate(t, parameters) : CfnTemplate.Load(RepoPaths.ExpandedTemplate, parameters);
        var iam = new IamPolicies(Template);
        string RoleOf(JsonNode? roleArn, string where)
        {
            var name = Template.String(roleArn, where).Split('/')[^1];
            return iam.Roles.FirstOrDefault(r => LocalAccount.NameOf(r) == name) ?? throw new CfnEvaluationException($"{where}: no role {name} in the template");
        }

        foreach (var id in FunctionIds)
        {
            var properties = Template.Resource(id)?["Properties"] ?? throw new CfnEvaluationException($"the template has no function {id}");
            _roles[LocalAccount.NameOf(id)] = RoleOf(properties["Role"], $"{id}.Role");
        }

        _roles["stateMachine"] = RoleOf(Template.Resource("AlertPipelineStateMachine")?["Properties"]?["RoleArn"], "AlertPipelineStateMachine.RoleArn");
        _roles["scheduler"] = RoleOf(Template.Resource("TickSchedule")?["Properties"]?["Target"]?["RoleArn"], "TickSchedule.Target.RoleArn");
        var rules = Template.ResourcesOfType("AWS::Events::Rule").ToDictionary(r => r.LogicalId, r => r.Resource, StringComparer.Ordinal);
        foreach (var (starter, ruleId) in StarterIds.Where(s => s.Key != "scheduler"))
        {
            // The alarm rule is always there; the DLQ arrival and reaction status rules only under their conditions
            // (DLQs watched, reactions configured), which ResourcesOfType evaluates.
            var rule = rules.GetValueOrDefault(ruleId)?["Properties"];
            if (rule is not null || starter == "rule")
            {
                _roles[starter] = RoleOf((rule?["Targets"] as JsonArray)?.FirstOrDefault()?["RoleArn"], $"{ruleId}.Targets[0].RoleArn");
            }
        }

        if (Template.ResourcesOfType("AWS::Pipes::Pipe").FirstOrDefault() is ({ } pipeId, { } pipe))
        {
            _roles["pipe"] = RoleOf(pipe["Properties"]?["RoleArn"], $"{pipeId}.RoleArn");
            PipeSource = Template.String(pipe["Properties"]?["Source"], $"{pipeId}.Source");
            PipeTarget = Template.String(pipe["Properties"]?["Target"], $"{pipeId}.Target");
        }

        Aws = new LocalAwsApi(iam);
    }

    /// <summary>
    /// What the EventBridge Pipe of a watched DLQ does with a batch: it receives the records (its role), invokes the
    /// enrichment function (its role), which runs under its own role, then puts the results on the ops bus and
    /// deletes the records (its role again). Locally every watched queue is the expanded template's Pipe instance.
    /// </summary>
    /// <param name="batch">The records as the Pipe sends them to its enrichment: a JSON array of SQS records.</param>
    /// <param name="ct">Ends the batch.</param>
    public async Task<List<OpsPipeline.Core.Events.DlqArrival>> EnrichThroughPipeAsync(byte[] batch, CancellationToken ct)
    {
        if (!_roles.TryGetValue("pipe", out var pipeRole) || PipeSource is null || PipeTarget is null)
        {
            throw new CfnEvaluationException("the template has no DLQ Pipe (its expansion must watch the placeholder queue)");
        }

        const string session = "dlq-pipe";
        Aws.Demand(pipeRole, session, "sqs:ReceiveMessage", PipeSource);
        Aws.Demand(pipeRole, session, "lambda:InvokeFunction", LocalAccount.FunctionArn("DlqEnrichFunction"));
        Interlocked.Increment(ref _lambdaInvocations);
        _invocationsByFunction.AddOrUpdate("ops-dlq-enrich", 1, (_, n) => n + 1);
        List<OpsPipeline.Core.Events.DlqArrival> arrivals;
        try
        {
            if (_bootstraps is not null)
            {
                var output = await _bootstraps.InvokeAsync("ops-dlq-enrich", new MemoryStream(batch), _timeouts["ops-dlq-enrich"], ct).ConfigureAwait(false);
                arrivals = await JsonSerializer.DeserializeAsync(output, OpsPipeline.Core.Events.DlqArrivalJsonContext.Default.ListDlqArrival, ct).ConfigureAwait(false) ?? [];
            }
            else
            {
                arrivals = await new DlqEnrichFunction(FunctionRuntime("ops-dlq-enrich")).EnrichAsync(OpsPipeline.Core.Dlq.DlqEnricher.ParseRecords(batch), ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or BootstrapFunctionException)
        {
            // The enrichment function failed (a refused call among them): the Pipe's batch fails and stays on the queue.
            throw new PipeBatchFailedException($"DlqEnrichFunction failed: {e.GetType().Name}: {e.Message}", e);
        }

        Aws.Demand(pipeRole, session, "events:PutEvents", PipeTarget);
        Aws.Demand(pipeRole, session, "sqs:DeleteMessage", PipeSource);
        return arrivals;
    }

    /// <summary>
    /// An event the bus refused (over 256 KiB): its size, SHA-256 and first 4 KiB go to the parked-event queue with the
    /// reason, in the shape the state machine parks in, so nothing leaves a local run unaccounted for.
    /// </summary>
    public void ParkRefusedAtBus(string eventJson, string reason)
    {
        var bytes = Encoding.UTF8.GetBytes(eventJson);
        var body = new JsonObject
        {
            ["event"] = new JsonObject
            {
                ["bytes"] = bytes.Length,
                ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
                ["head"] = eventJson[..Math.Min(eventJson.Length, 4096)],
            },
            ["error"] = new JsonObject { ["Error"] = "InvalidEventException", ["Cause"] = reason },
        };
        _parked.Enqueue(new ParkedRecord(ParkedEventQueueUrl, body.ToJsonString()));
    }

    /// <summary>The watched queue the expanded template's Pipe reads (locally every watched DLQ is that Pipe's instance).</summary>
    public string? PipeSource { get; private set; }

    private string? PipeTarget { get; set; }

    /// <summary>Raw text that is not JSON still reaches Decide (as a JSON string), so it is rejected and parked, not lost.</summary>
    private static bool IsJson(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 1000 });
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task StartHostAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = 8 * 1024 * 1024;
        });
        builder.Services.Configure<KestrelServerOptions>(o => o.AllowSynchronousIO = false);
        var app = builder.Build();
        app.MapPost("/2015-03-31/functions/{name}/invocations", InvokeAsync);
        app.MapPost("/local/tasks/{service}/{action}", TaskSinkAsync);
        app.MapPost("/local/receivers/{channel}/{receiver}", ReceiveAsync);
        // PagerDuty's Change Events API, beside its events API (a reaction's outcome): the same local receiver.
        app.MapPost("/local/receivers/pagerduty/change/enqueue", http => ReceiveAsync(http, "pagerduty", "change"));
        app.MapPost("/", http => Aws.HandleAsync(http)); // DynamoDB and SSM, as the functions call them
        await app.StartAsync(ct).ConfigureAwait(false);
        _host = app;
        BaseUrl = app.Urls.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    private async Task<string> StartNodeAsync(CancellationToken ct)
    {
        var substitutions = Path.Combine(Path.GetTempPath(), $"ops-local-subst-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        // The definition's ${Names} are filled from the template's DefinitionSubstitutions, evaluated in the local account.
        var values = Template.Evaluate(Template.Resource("AlertPipelineStateMachine")?["Properties"]?["DefinitionSubstitutions"], "AlertPipelineStateMachine.DefinitionSubstitutions") as JsonObject
            ?? throw new CfnEvaluationException("AlertPipelineStateMachine has no DefinitionSubstitutions");
        await File.WriteAllTextAsync(substitutions, values.ToJsonString(), ct).ConfigureAwait(false);

        var args = new List<string> { Path.Combine(RepoPaths.LocalTools, "stack.mjs"), "--definition", RepoPaths.Asl, "--substitutions", substitutions, "--sink", BaseUrl };
        if (_options.StateDir is { } stateDir)
        {
            args.AddRange(["--dynamo-path", Path.Combine(Path.GetFullPath(stateDir), "dynamodb")]);
        }

        if (_options.RetryIntervalMs is { } retryMs)
        {
            args.AddRange(["--retry-interval-ms", retryMs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        var psi = new ProcessStartInfo(RepoPaths.Node)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["AWS_ENDPOINT_URL_LAMBDA"] = BaseUrl;
        psi.Environment["AWS_REGION"] = "us-east-1";
        // Its Lambda calls are signed as the state machine's role, so the local Lambda host can check them.
        psi.Environment["AWS_ACCESS_KEY_ID"] = Aws.AccessKeyFor(_roles["stateMachine"], LocalAccount.NameOf("AlertPipelineStateMachine"));
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = "local";
        _node = Process.Start(psi) ?? throw new InvalidOperationException("could not start the local stack (node)");
        _stderrPump = PumpStderrAsync(_node.StandardError);

        var readyLine = await _node.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the local stack exited before it was ready (see stderr)");
        using var ready = JsonDocument.Parse(readyLine);
        var endpoint = ready.RootElement.GetProperty("dynamodbEndpoint").GetString()!;
        _stdoutPump = PumpResultsAsync(_node.StandardOutput);
        File.Delete(substitutions);
        return endpoint;
    }

    private async Task StartRuntimeAsync(string dynamoEndpoint, CancellationToken ct)
    {
        AmazonDynamoDBConfig DynamoConfig(string url, Func<string, WriteFault?>? failWrite = null) => new()
        {
            ServiceURL = url,
            AuthenticationRegion = "us-east-1",
            HttpClientFactory = new CountingHttpClientFactory(DynamoCounter, _options.DynamoThrottleRate, seed: 3, failWrite),
            // As in Lambda: the SDK retries throttles first; what still fails is retried by the state machine. An
            // injected write failure is meant to reach the function, so the SDK does not retry it.
            MaxErrorRetry = failWrite is null ? 3 : 0,
        };
        Dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), DynamoConfig(dynamoEndpoint));
        await CreateTableAsync(Dynamo, ct).ConfigureAwait(false);
        DynamoCounter.Reset(); // count the pipeline's requests, not the set-up

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in _options.Config.Receivers)
        {
            // A secret that is a URL points at this receiver's local recorder; a key (PagerDuty's routing key) names it.
            if (r.Settings is not { Target.Parameter: { } parameter } settings)
            {
                continue;
            }

            var notifier = NotifierRegistry.For(settings);

            secrets[parameter] = notifier.SecretBodyField is null
                ? $"{BaseUrl}/local/receivers/{notifier.Name}/{Uri.EscapeDataString(r.Name)}{Token}"
                : LocalRoutingKey(r.Name) + (_options.PlantedSecret is { } planted ? "." + planted : string.Empty);
        }

        var http = new HttpClient(new RecordingHandler(_outbound, _options.Clock) { InnerHandler = new SocketsHttpHandler() }) { Timeout = Timeout.InfiniteTimeSpan };
        var pagerDuty = new Uri($"{BaseUrl}/local/receivers/pagerduty/events");
        var sender = new HttpDeliverySender(http, new InMemorySecretStore(secrets), pagerDuty, _options.DeliveryTimeout);
        Runtime = PipelineRuntime.ForTable(_options.Config, Dynamo, TableName, sender, _options.Clock);

        // Each function as it runs in Lambda: its own credentials (its role), its table from its environment, every
        // DynamoDB and SSM call through the local AWS API, which checks it against that role's policies.
        Aws.DynamoEndpoint = new Uri(dynamoEndpoint);
        Aws.Parameters = secrets;
        Aws.AutomationExecution = _reactions.AutomationExecution;
        Aws.MoveTasks = _reactions.MoveTasks;
        foreach (var id in FunctionIds)
        {
            var name = LocalAccount.NameOf(id);
            var credentials = new BasicAWSCredentials(Aws.AccessKeyFor(_roles[name], name), "local");
            var variables = Template.Evaluate(Template.Resource(id)?["Properties"]?["Environment"]?["Variables"], $"{id}.Environment.Variables") as JsonObject ?? [];
            var table = (string?)variables["TABLE_NAME"] ?? throw new CfnEvaluationException($"{id}: no TABLE_NAME in its environment");
            var dynamo = new AmazonDynamoDBClient(credentials, DynamoConfig(BaseUrl, _options.FailWrite));
            var ssm = new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementClient(credentials, new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementConfig { ServiceURL = BaseUrl, AuthenticationRegion = LocalAccount.Region });
            var functionSender = new HttpDeliverySender(http, new SsmSecretStore(ssm, _options.Clock, TimeSpan.FromMinutes(5)), pagerDuty, _options.DeliveryTimeout);
            // Asked of the local AWS API (SQS and SSM JSON protocols), with the function's own credentials, as in Lambda.
            var reactionStatus = new AwsReactionStatus(
                () => new Amazon.SQS.AmazonSQSClient(credentials, new Amazon.SQS.AmazonSQSConfig { ServiceURL = BaseUrl, AuthenticationRegion = LocalAccount.Region }),
                () => ssm);
            _functions[name] = PipelineRuntime.ForTable(_options.Config, dynamo, table, functionSender, _options.Clock, reactionStatus: reactionStatus);
            _bootstraps?.Declare(name, Template.Resource(id)?["Properties"], variables, Aws.AccessKeyFor(_roles[name], name), BaseUrl, pagerDuty, _options.ConfigFile);
            _timeouts[name] = TimeSpan.FromSeconds(int.Parse(Template.String(Template.Resource(id)?["Properties"]?["Timeout"], $"{id}.Timeout"), System.Globalization.CultureInfo.InvariantCulture));
        }

        // The state machine's own DynamoDB tasks (a reaction's run record), with its role's credentials, counted.
        var machine = LocalAccount.NameOf("AlertPipelineStateMachine");
        _machineDynamo = new AmazonDynamoDBClient(new BasicAWSCredentials(Aws.AccessKeyFor(_roles["stateMachine"], machine), "local"), DynamoConfig(BaseUrl));
    }

    private AmazonDynamoDBClient _machineDynamo = null!;

    /// <summary>
    /// A state machine task <c>dynamodb:putItem</c>: the same request through the local AWS API (IAM-checked against the
    /// state machine's role, counted), answered as Step Functions does: the item's write, or DynamoDB.{error}.
    /// </summary>
    private async Task<(int Status, JsonObject Response)> PutItemTaskAsync(JsonNode input, CancellationToken ct)
    {
        static AttributeValue Value(JsonNode node) => node.AsObject().First() switch
        {
            ("S", var v) => new AttributeValue { S = (string?)v },
            ("N", var v) => new AttributeValue { N = (string?)v },
            var (type, _) => throw new NotSupportedException($"attribute type {type}: the pipeline's state machine writes only S and N"),
        };

        try
        {
            await _machineDynamo.PutItemAsync(new Amazon.DynamoDBv2.Model.PutItemRequest
            {
                TableName = (string?)input["TableName"],
                Item = input["Item"]!.AsObject().ToDictionary(a => a.Key, a => Value(a.Value!)),
                ConditionExpression = (string?)input["ConditionExpression"],
            }, ct).ConfigureAwait(false);
            return (200, new JsonObject());
        }
        catch (AmazonDynamoDBException e)
        {
            return (400, new JsonObject { ["error"] = $"DynamoDB.{e.ErrorCode}", ["cause"] = e.Message });
        }
    }

    // The functions run as the AOT bootstrap (BootstrapDir); their DynamoDB requests are not in the per-invocation counts.
    private readonly LocalBootstraps? _bootstraps;

    /// <summary>Each function's Timeout from the template: the local Lambda host ends an invocation there, as Lambda does.</summary>
    private readonly Dictionary<string, TimeSpan> _timeouts = new(StringComparer.Ordinal);

    /// <summary>The runtime a function runs with (its own role's credentials), by local name: ops-decide, ops-deliver, ops-tick, ops-dlq-enrich.</summary>
    public PipelineRuntime FunctionRuntime(string name) => _functions[name];

    private string Token => _options.PlantedSecret is { } planted ? "?token=" + Uri.EscapeDataString(planted) : string.Empty;

    private readonly ConcurrentQueue<string> _emitted = new();

    /// <summary>
    /// The events the local AWS put on the default bus that a rule of the template matches (a stepFunctions
    /// reaction's status change, when ReactionStatusRule exists): the run starts an execution for each, as EventBridge would.
    /// </summary>
    public IReadOnlyList<string> TakeEmittedEvents()
    {
        var taken = new List<string>();
        while (_emitted.TryDequeue(out var e))
        {
            taken.Add(e);
        }

        return taken;
    }

    /// <summary>A local target state machine ends as its reaction's script says (one that never ends emits nothing).</summary>
    private void EmitExecutionEnd(ReactionCall call, string reaction)
    {
        var end = _reactions.EndOf(reaction);
        if (end.Never || !_roles.ContainsKey("reactionStatus"))
        {
            return;
        }

        var executionArn = (string?)call.Response["ExecutionArn"] ?? string.Empty;
        var detail = new JsonObject
        {
            ["executionArn"] = executionArn,
            ["stateMachineArn"] = call.Resource,
            ["name"] = executionArn.Split(':')[^1],
            ["status"] = end.Error is null ? "SUCCEEDED" : end.Error == "States.Timeout" ? "TIMED_OUT" : "FAILED",
        };
        if (end.Error is { } error && error != "States.Timeout")
        {
            detail["error"] = error;
            detail["cause"] = end.Cause;
        }

        var emitted = new JsonObject
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = OpsPipeline.Core.Events.StepFunctionsEventTypes.ExecutionStatusChange,
            ["source"] = OpsPipeline.Core.Events.StepFunctionsEventTypes.Source,
            ["account"] = LocalAccount.AccountId,
            ["time"] = _options.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["region"] = LocalAccount.Region,
            ["resources"] = new JsonArray(executionArn),
            ["detail"] = detail,
        }.ToJsonString();
        _emitted.Enqueue(emitted);
        if (end.Duplicated)
        {
            _emitted.Enqueue(emitted);
        }
    }

    /// <summary>The local reaction targets: how their runs end (scripted by tests), what they were asked.</summary>
    public LocalReactions Reactions => _reactions;

    /// <summary>Every result line the local Step Functions reported (outputs, errors, causes), for tests that scan what the pipeline wrote.</summary>
    public IReadOnlyList<string> ExecutionLog => [.. _executionLog];

    /// <summary>The local stand-in for a PagerDuty integration key; not a secret, it only names the receiver.</summary>
    public static string LocalRoutingKey(string receiver) => "local-routing-key-" + receiver;

    /// <summary>The due index's projection, as template.yaml declares it (read from the committed expansion).</summary>
    public static readonly ProjectionType DueProjection = new((string?)AlertTableProperties()["GlobalSecondaryIndexes"]?[0]?["Projection"]?["ProjectionType"] ?? "KEYS_ONLY");

    /// <summary>AlertTable's properties in the SAM expansion: the one place the table's schema is written.</summary>
    private static JsonObject AlertTableProperties() =>
        JsonNode.Parse(File.ReadAllText(RepoPaths.ExpandedTemplate))?["Resources"]?["AlertTable"]?["Properties"] as JsonObject
            ?? throw new CfnEvaluationException("the expanded template has no AlertTable");

    /// <summary>Creates the table as template.yaml declares it: its keys, attribute types, billing mode and indexes.</summary>
    public static async Task CreateTableAsync(IAmazonDynamoDB dynamo, CancellationToken ct)
    {
        var existing = await dynamo.ListTablesAsync(new ListTablesRequest(), ct).ConfigureAwait(false);
        if (existing.TableNames?.Contains(TableName) == true)
        {
            return; // a kept --state directory already has it
        }

        var declared = AlertTableProperties();
        static List<KeySchemaElement> Keys(JsonNode? keys) =>
            [.. (keys as JsonArray ?? []).Select(k => new KeySchemaElement((string)k!["AttributeName"]!, new KeyType((string)k["KeyType"]!)))];
        await dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = TableName,
            BillingMode = new BillingMode((string?)declared["BillingMode"] ?? "PAY_PER_REQUEST"),
            AttributeDefinitions = [.. (declared["AttributeDefinitions"] as JsonArray ?? []).Select(a => new AttributeDefinition((string)a!["AttributeName"]!, new ScalarAttributeType((string)a["AttributeType"]!)))],
            KeySchema = Keys(declared["KeySchema"]),
            GlobalSecondaryIndexes =
            [
                .. (declared["GlobalSecondaryIndexes"] as JsonArray ?? []).Select(g => new GlobalSecondaryIndex
                {
                    IndexName = (string)g!["IndexName"]!,
                    KeySchema = Keys(g["KeySchema"]),
                    Projection = new Projection { ProjectionType = new ProjectionType((string)g["Projection"]!["ProjectionType"]!) },
                }),
            ],
        }, ct).ConfigureAwait(false);

        // dynalite flips a new table to ACTIVE asynchronously (later still on its on-disk store): wait for it.
        for (var i = 0; i < 100; i++)
        {
            var table = await dynamo.DescribeTableAsync(TableName, ct).ConfigureAwait(false);
            if (table.Table.TableStatus == TableStatus.ACTIVE && table.Table.GlobalSecondaryIndexes?.All(g => g.IndexStatus == IndexStatus.ACTIVE) != false)
            {
                return;
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"local table {TableName} did not become ACTIVE");
    }

    /// <summary>Lambda's synchronous invocation payload limit, request and response alike (6 MB).</summary>
    public const int MaxInvocationPayloadBytes = 6 * 1024 * 1024;

    private async Task InvokeAsync(HttpContext http, string name)
    {
        var function = name[(name.LastIndexOf(':') + 1)..];
        // The state machine calls its functions as its own role: lambda:InvokeFunction on the function's ARN.
        var caller = Aws.Caller(http.Request);
        var arn = FunctionIds.Select(LocalAccount.FunctionArn).FirstOrDefault(a => a == name || LocalAccount.NameOf(a) == name);
        try
        {
            if (caller is not { } c)
            {
                throw new AccessDeniedException($"an unsigned or unknown caller invoked {name}");
            }

            Aws.Demand(c.Role, c.Session, "lambda:InvokeFunction", arn ?? name);
        }
        catch (AccessDeniedException e)
        {
            http.Response.StatusCode = 403;
            http.Response.Headers["x-amzn-ErrorType"] = AccessDeniedException.ErrorCode;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(new JsonObject { ["Type"] = "User", ["Message"] = e.Message }.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (http.Request.ContentLength > MaxInvocationPayloadBytes)
        {
            http.Response.StatusCode = 413;
            http.Response.Headers["x-amzn-ErrorType"] = "RequestTooLargeException";
            await http.Response.WriteAsync(new JsonObject { ["Type"] = "User", ["message"] = $"Request must be smaller than {MaxInvocationPayloadBytes} bytes for the InvokeFunction operation" }.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
            return;
        }

        Interlocked.Increment(ref _lambdaInvocations);
        _invocationsByFunction.AddOrUpdate(function, 1, (_, n) => n + 1);
        Mark?.Invoke(function + " in", Stopwatch.GetTimestamp());
        var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted).ConfigureAwait(false);
        body.Position = 0;
        var requests = new StrongBox<int>();
        CountingDynamoHandler.CurrentInvocation.Value = requests;
        var clock = Stopwatch.StartNew();
        try
        {
            var runtime = _functions.GetValueOrDefault(function) ?? throw new InvalidOperationException($"no local function named {name}");
            Task<Stream> handling = function switch
            {
                _ when _bootstraps?.Serves(function) == true => _bootstraps.InvokeAsync(function, body, _timeouts[function], http.RequestAborted, function == "ops-deliver" ? () => new ReceiverCapture(this, body.ToArray()) : null),
                "ops-decide" => new DecideFunction(runtime).Handle(body),
                "ops-deliver" => new DeliverFunction(runtime).Handle(body),
                "ops-tick" => new TickFunction(runtime).Handle(body),
                "ops-dlq-enrich" => new DlqEnrichFunction(runtime).Handle(body),
                _ => throw new InvalidOperationException($"no local function named {name}"),
            };
            // Lambda ends an invocation at the function's Timeout, whatever it is doing.
            var timeout = _timeouts[function];
            if (await Task.WhenAny(handling, Task.Delay(timeout, http.RequestAborted)).ConfigureAwait(false) != handling)
            {
                _ = handling.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed, never rethrown
                throw new LambdaTimeoutException(timeout);
            }

            var result = await handling.ConfigureAwait(false);
            http.Response.ContentType = "application/json";
            var output = new MemoryStream();
            await result.CopyToAsync(output, http.RequestAborted).ConfigureAwait(false);
            if (output.Length > MaxInvocationPayloadBytes)
            {
                throw new LambdaResponseTooLargeException(output.Length);
            }

            if (function == "ops-decide")
            {
                _decideMilliseconds.Enqueue(clock.Elapsed.TotalMilliseconds);
            }

            Mark?.Invoke(function + " out", Stopwatch.GetTimestamp());
            RecordDynamoRequests(function, output.GetBuffer().AsSpan(0, (int)output.Length), requests.Value);
            _reactions.Note(output.GetBuffer().AsSpan(0, (int)output.Length));
            output.Position = 0;
            await output.CopyToAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As the managed runtime reports an unhandled exception: errorType is the exception's type name.
            http.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
            http.Response.ContentType = "application/json";
            var error = e switch
            {
                ILambdaPlatformError platform => new JsonObject { ["errorType"] = platform.ErrorType, ["errorMessage"] = e.Message },
                _ => new JsonObject { ["errorType"] = e.GetType().Name, ["errorMessage"] = e.Message },
            };
            await http.Response.WriteAsync(error.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
        }
    }

    private readonly ConcurrentDictionary<string, (long Invocations, long Requests)> _dynamoByInvocation = new(StringComparer.Ordinal);

    private readonly ConcurrentQueue<double> _decideMilliseconds = new();

    private readonly LocalReactions _reactions = new();

    /// <summary>How long each Decide invocation took in its handler (parse to result, DynamoDB round trips included).</summary>
    public IReadOnlyList<double> DecideMilliseconds => [.. _decideMilliseconds];

    /// <summary>
    /// DynamoDB requests per kind of invocation, counted on the wire during each one: Decide by its decision
    /// ("decide:notify", "decide:duplicate", …), the others by function ("tick", "deliver").
    /// </summary>
    public IReadOnlyDictionary<string, (long Invocations, long Requests)> DynamoByInvocation => new Dictionary<string, (long, long)>(_dynamoByInvocation);

    private void RecordDynamoRequests(string function, ReadOnlySpan<byte> output, int requests)
    {
        var key = function.Replace("ops-", string.Empty, StringComparison.Ordinal);
        if (key == "decide")
        {
            var reader = new Utf8JsonReader(output);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("decision"u8) && reader.Read())
                {
                    key = "decide:" + reader.GetString();
                    break;
                }
            }
        }

        _dynamoByInvocation.AddOrUpdate(key, (1, requests), (_, t) => (t.Invocations + 1, t.Requests + requests));
    }

    /// <summary>SNS Publish and SQS SendMessage refuse a message over 256 KiB.</summary>
    public const int MaxMessageBytes = 256 * 1024;

    private async Task TaskSinkAsync(HttpContext http, string service, string action)
    {
        // A parked copy of a hostile event may nest deeply: the sink must take whatever SQS would, and refuse what it
        // refuses. A lone surrogate (which .NET's JSON reader will not read) is such a character.
        var requestText = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        if (OpsPipeline.Core.Events.ParkedCopy.NeutralizeLoneSurrogates(requestText) != requestText)
        {
            http.Response.StatusCode = 400;
            http.Response.ContentType = "application/json";
            var refused = service == "sns" ? "SNS.InvalidParameterException" : "SQS.InvalidMessageContentsException";
            await http.Response.WriteAsync(new JsonObject { ["error"] = refused, ["cause"] = "Invalid characters found in the message (a lone UTF-16 surrogate)" }.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
            return;
        }

        var input = JsonNode.Parse(requestText, documentOptions: new JsonDocumentOptions { MaxDepth = 1024 }) ?? new JsonObject();
        var reactionCall = LocalReactions.Call(service, action, input); // null unless a reaction's integration
        JsonObject response;
        var size = http.Request.ContentLength ?? 0;
        try
        {
            // The state machine's own role makes these calls.
            var (iamAction, resource) = $"{service}:{action}" switch
            {
                "sns:publish" => ("sns:Publish", (string?)input["TopicArn"] ?? "(no TopicArn)"),
                "sqs:sendMessage" => ("sqs:SendMessage", LocalAccount.QueueArnOfUrl((string?)input["QueueUrl"] ?? string.Empty) ?? "(no QueueUrl)"),
                _ when reactionCall is { } reaction => (reaction.IamAction, reaction.Resource),
                _ => ($"{service}:{action}", "*"),
            };
            if (service != "dynamodb")
            {
                // A DynamoDB task goes through the local AWS API, which checks the role on the request itself.
                Aws.Demand(_roles["stateMachine"], LocalAccount.NameOf("AlertPipelineStateMachine"), iamAction, resource);
            }
        }
        catch (AccessDeniedException e)
        {
            http.Response.StatusCode = 400;
            http.Response.ContentType = "application/json";
            var prefix = reactionCall is { } refused ? refused.ErrorPrefix : service == "sns" ? "SNS" : "SQS";
            await http.Response.WriteAsync(new JsonObject { ["error"] = $"{prefix}.{AccessDeniedException.ErrorCode}", ["cause"] = e.Message }.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
            return;
        }

        switch ($"{service}:{action}")
        {
            case "sns:publish" when Encoding.UTF8.GetByteCount((string?)input["Message"] ?? string.Empty) > MaxMessageBytes:
            case "sqs:sendMessage" when Encoding.UTF8.GetByteCount(input["MessageBody"] is JsonValue mb && mb.TryGetValue<string>(out var text) ? text : input["MessageBody"]?.ToJsonString() ?? string.Empty) > MaxMessageBytes:
                // As SNS and SQS refuse a message over 256 KiB.
                http.Response.StatusCode = 400;
                response = new JsonObject { ["error"] = service == "sns" ? "SNS.InvalidParameterException" : "SQS.InvalidParameterValueException", ["cause"] = $"message of {size} bytes: longer than the {MaxMessageBytes}-byte limit" };
                break;
            case "sqs:sendMessage" when OpsPipeline.Core.Events.ParkedCopy.FirstCharacterSqsRefuses(input["MessageBody"] is JsonValue body && body.TryGetValue<string>(out var bodyText) ? bodyText : input["MessageBody"]?.ToJsonString() ?? string.Empty) is { } at:
                // SQS takes only #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
                http.Response.StatusCode = 400;
                response = new JsonObject { ["error"] = "SQS.InvalidMessageContentsException", ["cause"] = $"Invalid characters found in the message body at index {at}" };
                break;
            case "sns:publish":
                _outbound.Enqueue(SnsRecord(input.AsObject()) with { At = _options.Clock.GetUtcNow() });
                response = new JsonObject { ["MessageId"] = Guid.NewGuid().ToString() };
                break;
            case "sqs:sendMessage":
                var queue = (string?)input["QueueUrl"] ?? "(no QueueUrl)";
                var messageBody = input["MessageBody"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : input["MessageBody"]?.ToJsonString() ?? string.Empty;
                _parked.Enqueue(new ParkedRecord(queue, messageBody));
                response = new JsonObject { ["MessageId"] = Guid.NewGuid().ToString() };
                break;
            case "dynamodb:putItem":
                (http.Response.StatusCode, response) = await PutItemTaskAsync(input, http.RequestAborted).ConfigureAwait(false);
                break;
            case var _ when reactionCall is { } reaction:
                // A reaction's service call: recorded as one line, like a delivery, unless its fault script refuses it.
                lock (_reactions)
                {
                    var started = _reactions.Take(reaction);
                    var answer = Faults.Next(started.Receiver);
                    if (answer != ReceiverAnswer.Ok && answer.Status >= 400)
                    {
                        http.Response.StatusCode = 400;
                        response = new JsonObject { ["error"] = answer.Status >= 500 ? "States.TaskFailed" : reaction.ErrorPrefix == "Lambda" ? "Lambda.InvalidParameterValueException" : $"{reaction.ErrorPrefix}.ValidationException", ["cause"] = $"{reaction.IamAction} answered {answer.Status} (injected)" };
                        break;
                    }

                    _reactions.Taken(reaction);
                    _reactions.Started(reaction, started.Receiver);
                    if (reaction.Channel == "stepFunctions")
                    {
                        EmitExecutionEnd(reaction, started.Receiver);
                    }

                    _outbound.Enqueue(started with { Payload = reaction.Payload, At = _options.Clock.GetUtcNow() });
                    response = reaction.Response;
                    if (reaction.Channel == "lambda" && _reactions.EndOf(started.Receiver) is { Error: { } error } end)
                    {
                        // The function ran and failed: the task fails with its errorType, as lambda:invoke does.
                        http.Response.StatusCode = 400;
                        response = new JsonObject { ["error"] = error, ["cause"] = end.Cause };
                    }
                    else if (reaction.Channel == "lambda" && _reactions.EndOf(started.Receiver).Never)
                    {
                        http.Response.StatusCode = 400;
                        response = new JsonObject { ["error"] = "States.Timeout", ["cause"] = "the function gave no answer within the task's TimeoutSeconds" };
                    }

                }

                break;
            default:
                http.Response.StatusCode = 400;
                response = new JsonObject { ["error"] = "States.TaskFailed", ["cause"] = $"no local sink for {service}:{action}" };
                break;
        }

        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(response.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
    }

    private static OutboundRecord SnsRecord(JsonObject input)
    {
        string Attr(string name) => (string?)input["MessageAttributes"]?[name]?["StringValue"] ?? string.Empty;
        return new OutboundRecord
        {
            Receiver = Attr("receiver"),
            Channel = SnsNotifier.ChannelName,
            Action = Attr("action"),
            AlertKey = Attr("alertKey"),
            DedupKey = Attr("dedupKey"),
            Drill = Attr("drill") == "true",
            Subject = (string?)input["Subject"],
            Payload = JsonSerializer.SerializeToElement((string?)input["Message"] ?? string.Empty, OpsCtlJsonContext.Default.String),
        };
    }

    private async Task ReceiveAsync(HttpContext http, string channel, string receiver)
    {
        Mark?.Invoke("receiver " + channel, Stopwatch.GetTimestamp());
        var body = await new StreamReader(http.Request.Body).ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        var notifier = NotifierRegistry.Find(channel);
        if (notifier?.SecretBodyField is { } keyField)
        {
            // A keyed channel (PagerDuty) has one endpoint; the key in the body says which receiver (integration) it is for.
            var key = (string?)JsonNode.Parse(body)?[keyField] ?? string.Empty;
            receiver = key.StartsWith("local-routing-key-", StringComparison.Ordinal) ? key["local-routing-key-".Length..].Split('.')[0] : "(unknown routing key)";
        }

        var answer = Faults.Next(receiver);
        if (answer.Delay is { } delay)
        {
            await Task.Delay(delay, http.RequestAborted).ConfigureAwait(false);
        }

        if (answer.ResetConnection)
        {
            http.Abort();
            return;
        }

        // A good request gets what the real service answers (PagerDuty 202 Accepted, Slack 200, ...).
        var accepted = notifier?.AcceptedStatus ?? 200;
        http.Response.StatusCode = answer == ReceiverAnswer.Ok ? accepted : answer.Status;
        if (http.Response.StatusCode == accepted)
        {
            _capture?.Accepted.Enqueue(body);
        }
        if (answer.RetryAfter is { } retryAfter)
        {
            http.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (http.Response.StatusCode == accepted && notifier?.AcceptedBody is { } acceptedBody)
        {
            await http.Response.WriteAsync(acceptedBody, http.RequestAborted).ConfigureAwait(false);
        }
        else if (answer.Status >= 400)
        {
            await http.Response.WriteAsync(answer.Status == 400 ? "invalid_payload" : "receiver error", http.RequestAborted).ConfigureAwait(false);
        }
    }

    private async Task PumpResultsAsync(StreamReader stdout)
    {
        while (await stdout.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            _executionLog.Enqueue(line);
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                await _options.Log.WriteLineAsync("local stack: " + line).ConfigureAwait(false);
                continue;
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.GetProperty("type").GetString() != "result")
                {
                    continue;
                }

                var id = root.GetProperty("id").GetString()!;
                var outcome = new ExecutionOutcome(
                    id,
                    root.GetProperty("status").GetString()!,
                    root.TryGetProperty("output", out var o) ? o.Clone() : null,
                    root.TryGetProperty("error", out var e) ? e.GetString() : null,
                    root.TryGetProperty("cause", out var c) ? c.GetString() : null,
                    root.TryGetProperty("transitions", out var t) ? t.GetInt32() : 0);
                if (_executions.TryRemove(id, out var waiter))
                {
                    waiter.TrySetResult(outcome);
                }
            }
        }

        foreach (var waiter in _executions.Values)
        {
            waiter.TrySetException(new InvalidOperationException("the local stack exited during an execution (see stderr)"));
        }
    }

    private async Task PumpStderrAsync(StreamReader stderr)
    {
        while (await stderr.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            await _options.Log.WriteLineAsync("local stack: " + line).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is { HasExited: false })
        {
            try
            {
                _node.StandardInput.Close();
                await _node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
            {
                _node.Kill(entireProcessTree: true);
            }
        }

        if (_stdoutPump is not null)
        {
            await _stdoutPump.ConfigureAwait(false);
        }

        if (_stderrPump is not null)
        {
            await _stderrPump.ConfigureAwait(false);
        }

        _node?.Dispose();
        if (_bootstraps is not null)
        {
            await _bootstraps.DisposeAsync().ConfigureAwait(false);
        }

        if (_host is not null)
        {
            await _host.StopAsync().ConfigureAwait(false);
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        Dynamo?.Dispose();
        _stdinGate.Dispose();
        _stateLock?.Dispose();
    }

    /// <summary>A delivery a receiver accepted, with the exact body it got.</summary>
    private static OutboundRecord Sent(OpsPipeline.Core.Decisions.Delivery d, string body, TimeProvider clock)
    {
        using var doc = JsonDocument.Parse(body);
        return new OutboundRecord
        {
            Receiver = d.Receiver,
            Channel = d.Channel,
            Action = d.Action,
            AlertKey = d.AlertKey,
            DedupKey = d.DedupKey,
            Drill = d.Drill,
            Payload = doc.RootElement.Clone(),
            At = clock.GetUtcNow(),
        };
    }

    /// <summary>What the receivers accepted during the bootstrap Deliver's current invocation (one at a time).</summary>
    private ReceiverCapture? _capture;

    /// <summary>
    /// The bootstrap's requests reach the receivers from another process, without the delivery they belong to: each
    /// body a receiver accepts during one Deliver invocation is that invocation's delivery, recorded as
    /// <see cref="RecordingHandler"/> records the in-process Deliver's.
    /// </summary>
    private sealed class ReceiverCapture : IDisposable
    {
        private readonly LocalStack _stack;
        private readonly byte[] _input;

        public ReceiverCapture(LocalStack stack, byte[] input)
        {
            (_stack, _input) = (stack, input);
            stack._capture = this;
        }

        public ConcurrentQueue<string> Accepted { get; } = new();

        public void Dispose()
        {
            _stack._capture = null;
            if (Accepted.IsEmpty || FunctionsJson.ReadNotifyTest(_input) is not null)
            {
                return;
            }

            var (d, _) = FunctionsJson.ReadDeliverInput(_input);
            foreach (var body in Accepted)
            {
                _stack._outbound.Enqueue(Sent(d, body, _stack._options.Clock));
            }
        }
    }

    /// <summary>Records what Deliver sent, with the delivery it belongs to, once the receiver accepted it.</summary>
    private sealed class RecordingHandler(ConcurrentQueue<OutboundRecord> outbound, TimeProvider clock) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "null" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode && request.Options.TryGetValue(HttpDeliverySender.DeliveryOption, out var d))
            {
                outbound.Enqueue(Sent(d, body, clock));
            }

            return response;
        }
    }
}

/// <summary>An error Lambda itself reports for an invocation (not the function's own exception).</summary>
internal interface ILambdaPlatformError
{
    string ErrorType { get; }
}

/// <summary>The invocation ran past the function's Timeout: Lambda reports Sandbox.Timedout.</summary>
internal sealed class LambdaTimeoutException(TimeSpan timeout)
    : Exception(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Task timed out after {timeout.TotalSeconds:0.00} seconds")), ILambdaPlatformError
{
    public string ErrorType => "Sandbox.Timedout";
}

/// <summary>The function answered more than Lambda's 6 MB response limit.</summary>
internal sealed class LambdaResponseTooLargeException(long bytes)
    : Exception($"Response payload size ({bytes} bytes) exceeded maximum allowed payload size ({LocalStack.MaxInvocationPayloadBytes} bytes)."), ILambdaPlatformError
{
    public string ErrorType => "Function.ResponseSizeTooLarge";
}

/// <summary>A Pipe batch that did not reach the bus (its enrichment failed): in AWS it returns to the queue and is retried.</summary>
public sealed class PipeBatchFailedException(string message, Exception inner) : Exception(message, inner);
