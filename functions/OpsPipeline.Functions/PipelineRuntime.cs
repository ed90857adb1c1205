using Amazon.DynamoDBv2;
using Amazon.SimpleSystemsManagement;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Ports;
using OpsPipeline.Core.Routing;
using OpsPipeline.Functions.Adapters;
using OpsPipeline.Functions.Observability;

namespace OpsPipeline.Functions;

/// <summary>
/// Everything the handlers share, built once per execution environment (static init, so SnapStart can snapshot it):
/// the settings, the parsed config, the stages, the adapters behind Core's ports, and the use cases over them.
/// Locally, opsctl builds one pointing at the local stack.
/// </summary>
public sealed class PipelineRuntime
{
    private static readonly Lazy<PipelineRuntime> FromEnvironmentLazy = new(BuildFromEnvironment);

    /// <summary>How long Decide trusts its copy of the silences.</summary>
    public static readonly TimeSpan SilenceCacheTtl = TimeSpan.FromSeconds(30);

    private PipelineRuntime(PipelineConfig config, IAmazonDynamoDB dynamo, string table, HttpDeliverySender sender, TimeProvider clock, EmfMetrics metrics, TimeSpan parkedBodyRetention, IReactionStatus? reactionStatus)
    {
        Config = config;
        Clock = clock;
        Metrics = metrics;
        Sender = sender;
        AlertStates = new DynamoAlertStateStore(dynamo, table);
        SilenceStore = new DynamoSilenceStore(dynamo, table);
        DrillReports = new DrillReportStore(dynamo, table);
        Budgets = new BudgetStore(dynamo, table);
        ParkedBodies = new ParkedBodyStore(dynamo, table, parkedBodyRetention);
        Deferred = new DeferredDeliveryStore(dynamo, table);
        Floods = new FloodGuardStore(dynamo, table);
        ReactionLedger = new ReactionLedgerStore(dynamo, table);
        Pipeline = new AlertPipeline(config, new RouteTree(config.Route, config.Defaults));
        var ports = new PipelinePorts(AlertStates, SilenceStore, new CachedSilences(SilenceStore, TimeProvider.System, SilenceCacheTtl), Budgets, DrillReports, Deferred, Floods, ReactionLedger, metrics, DynamoFaults.Instance, clock)
        {
            ReactionStatus = reactionStatus ?? NoReactionStatus.Instance,
        };
        var renderer = new NotificationRenderer(config);
        Decide = new DecideUseCase(config, Pipeline, renderer, ports);
        Tick = new TickUseCase(config, Pipeline, renderer, ports);
        Park = new ParkUseCase(metrics);
        Deliver = new DeliverUseCase(config, sender, ports);
    }

    /// <summary>A runtime whose stores all live in one DynamoDB table (the deployed shape, and the local stack's).</summary>
    public static PipelineRuntime ForTable(PipelineConfig config, IAmazonDynamoDB dynamo, string table, HttpDeliverySender sender, TimeProvider clock, EmfMetrics? metrics = null, TimeSpan? parkedBodyRetention = null, IReactionStatus? reactionStatus = null) =>
        new(config, dynamo, table, sender, clock, metrics ?? EmfMetrics.Silent(clock), parkedBodyRetention ?? TimeSpan.FromDays(30), reactionStatus);

    /// <summary>The runtime for a Lambda execution environment, from its environment variables (read once).</summary>
    public static PipelineRuntime FromEnvironment => FromEnvironmentLazy.Value;

    public PipelineConfig Config { get; }

    public AlertPipeline Pipeline { get; }

    public DecideUseCase Decide { get; }

    public TickUseCase Tick { get; }

    public ParkUseCase Park { get; }

    public DeliverUseCase Deliver { get; }

    public IAlertStateStore AlertStates { get; }

    public ISilenceStore SilenceStore { get; }

    public DrillReportStore DrillReports { get; }

    /// <summary>Error-budget state per SLO (same table).</summary>
    public BudgetStore Budgets { get; }

    /// <summary>DLQ bodies too large to travel in an event.</summary>
    public ParkedBodyStore ParkedBodies { get; }

    /// <summary>Deliveries put off to a later tick (a long Retry-After, or too little time left in the execution).</summary>
    public DeferredDeliveryStore Deferred { get; }

    /// <summary>The flood guard's per-receiver counts and what it held, to be told.</summary>
    public FloodGuardStore Floods { get; }

    /// <summary>Each reaction's runs per hour across alerts (its maxPerHour).</summary>
    public ReactionLedgerStore ReactionLedger { get; }

    /// <summary>EMF metrics; in Lambda they go to stdout (CloudWatch Logs), locally nowhere unless asked.</summary>
    public EmfMetrics Metrics { get; }

    public HttpDeliverySender Sender { get; }

    public TimeProvider Clock { get; }

    private static PipelineRuntime BuildFromEnvironment()
    {
        var settings = FunctionSettings.FromEnvironment();
        var config = ConfigLoader.LoadFile(settings.ConfigFile, settings.Substitutions);
        var table = settings.TableName ?? throw new InvalidOperationException("TABLE_NAME is not set");
        var clock = TimeProvider.System;
        var secrets = new SsmSecretStore(new AmazonSimpleSystemsManagementClient(), clock, TimeSpan.FromMinutes(5));
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var sender = new HttpDeliverySender(http, secrets, settings.PagerDutyEventsUrl, TimeSpan.FromSeconds(10));
        var reactionStatus = new AwsReactionStatus(() => new Amazon.SQS.AmazonSQSClient(), () => new AmazonSimpleSystemsManagementClient());
        return ForTable(config, new AmazonDynamoDBClient(), table, sender, clock, new EmfMetrics(Console.Out, clock), settings.ParkedBodyRetention, reactionStatus);
    }
}
