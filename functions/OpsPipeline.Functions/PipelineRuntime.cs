using Amazon.DynamoDBv2;
using Amazon.SimpleSystemsManagement;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;
using OpsPipeline.Functions.Adapters;
using OpsPipeline.Functions.Observability;

namespace OpsPipeline.Functions;

/// <summary>
/// Everything the handlers share, built once per execution environment (static init, so SnapStart can
/// snapshot it): parsed config, route tree, clients. Locally, opsctl builds one pointing at the local stack.
/// </summary>
public sealed class PipelineRuntime
{
    private static readonly Lazy<PipelineRuntime> FromEnvironmentLazy = new(BuildFromEnvironment);

    /// <summary>How long Decide trusts its copy of the silences.</summary>
    public static readonly TimeSpan SilenceCacheTtl = TimeSpan.FromSeconds(30);

    public PipelineRuntime(PipelineConfig config, IAlertStateStore alertStates, ISilenceStore silenceStore, DrillReportStore drillReports, BudgetStore budgets, ParkedBodyStore parkedBodies, DeferredDeliveryStore deferred, FloodGuardStore floods, HttpDeliverySender sender, TimeProvider clock)
    {
        Deferred = deferred;
        Floods = floods;
        ParkedBodies = parkedBodies;
        DrillReports = drillReports;
        Budgets = budgets;
        Metrics = EmfMetrics.Silent(clock);
        Config = config;
        Decider = new AlertDecider(config, new RouteTree(config.Route, config.Defaults));
        Ticker = new AlertTicker(Decider);
        AlertStates = alertStates;
        SilenceStore = silenceStore;
        Silences = new CachedSilences(silenceStore, TimeProvider.System, SilenceCacheTtl);
        Sender = sender;
        Clock = clock;
    }

    public AlertTicker Ticker { get; }

    /// <summary>Deliveries put off to a later tick (a long Retry-After, or too little time left in the execution).</summary>
    public DeferredDeliveryStore Deferred { get; }

    /// <summary>The flood guard's per-receiver counts and what it held, to be told.</summary>
    public FloodGuardStore Floods { get; }

    /// <summary>A runtime whose stores all live in one DynamoDB table (the deployed shape, and the local stack's).</summary>
    public static PipelineRuntime ForTable(PipelineConfig config, IAmazonDynamoDB dynamo, string table, HttpDeliverySender sender, TimeProvider clock, EmfMetrics? metrics = null) =>
        new(config, new DynamoAlertStateStore(dynamo, table), new DynamoSilenceStore(dynamo, table), new DrillReportStore(dynamo, table), new BudgetStore(dynamo, table),
            new ParkedBodyStore(dynamo, table, ParkedBodyRetention), new DeferredDeliveryStore(dynamo, table), new FloodGuardStore(dynamo, table), sender, clock)
        {
            Metrics = metrics ?? EmfMetrics.Silent(clock),
        };

    public DrillReportStore DrillReports { get; }

    /// <summary>Error-budget state per SLO (same table).</summary>
    public BudgetStore Budgets { get; }

    /// <summary>DLQ bodies too large to travel in an event.</summary>
    public ParkedBodyStore ParkedBodies { get; }

    /// <summary>How long parked DLQ bodies are kept: as long as the archive keeps the events that reference them.</summary>
    public static TimeSpan ParkedBodyRetention =>
        TimeSpan.FromDays(int.TryParse(Environment.GetEnvironmentVariable("ARCHIVE_RETENTION_DAYS"), out var days) && days > 0 ? days : 30);

    /// <summary>EMF metrics; in Lambda they go to stdout (CloudWatch Logs), locally nowhere unless asked.</summary>
    public EmfMetrics Metrics { get; init; }

    public ISilenceStore SilenceStore { get; }

    public CachedSilences Silences { get; }

    public PipelineConfig Config { get; }

    public AlertDecider Decider { get; }

    public IAlertStateStore AlertStates { get; }

    public HttpDeliverySender Sender { get; }

    public TimeProvider Clock { get; }

    /// <summary>The runtime for a Lambda execution environment, from its environment variables.</summary>
    public static PipelineRuntime FromEnvironment => FromEnvironmentLazy.Value;

    /// <summary>The environment variables a config may name as ${Name}: the template's own, and a team's OPS_CONFIG_* ones.</summary>
    public static readonly IReadOnlySet<string> SubstitutableVariables = new HashSet<string>(StringComparer.Ordinal) { "OpsEmailTopicArn" };

    /// <summary>Prefix of the environment variables a team may add for its own ${Name} substitutions.</summary>
    public const string SubstitutionPrefix = "OPS_CONFIG_";

    /// <summary>
    /// Config substitutions (${Name}) from the environment, only those allowed: the function's environment also holds
    /// its AWS credentials and runtime settings, which no config may pull into a notification.
    /// </summary>
    public static IReadOnlyDictionary<string, string> EnvironmentSubstitutions()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var name = (string)e.Key;
            if (SubstitutableVariables.Contains(name) || (name.StartsWith(SubstitutionPrefix, StringComparison.Ordinal) && name != "OPS_CONFIG_FILE"))
            {
                values[name] = (string?)e.Value ?? string.Empty;
            }
        }

        return values;
    }

    private static PipelineRuntime BuildFromEnvironment()
    {
        var configFile = Environment.GetEnvironmentVariable("OPS_CONFIG_FILE") ?? "ops-pipeline.yaml";
        var path = Path.IsPathRooted(configFile) ? configFile : Path.Combine(AppContext.BaseDirectory, configFile);
        var config = ConfigLoader.LoadFile(path, EnvironmentSubstitutions());
        var table = Environment.GetEnvironmentVariable("TABLE_NAME")
            ?? throw new InvalidOperationException("TABLE_NAME is not set");
        var clock = TimeProvider.System;
        var secrets = new SsmSecretStore(new AmazonSimpleSystemsManagementClient(), clock, TimeSpan.FromMinutes(5));
        var pagerDuty = new Uri(Environment.GetEnvironmentVariable("PAGERDUTY_EVENTS_URL") ?? "https://events.pagerduty.com/v2/enqueue");
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var sender = new HttpDeliverySender(http, secrets, pagerDuty, TimeSpan.FromSeconds(10));
        var dynamo = new AmazonDynamoDBClient();
        return ForTable(config, dynamo, table, sender, clock, new EmfMetrics(Console.Out, clock));
    }
}
