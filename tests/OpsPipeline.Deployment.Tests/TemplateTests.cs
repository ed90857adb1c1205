using System.Reflection;
using OpsPipeline.Functions;
using OpsPipeline.Functions.Adapters;
using YamlDotNet.RepresentationModel;
using static OpsPipeline.Deployment.Tests.SamTemplate;

namespace OpsPipeline.Deployment.Tests;

/// <summary>template.yaml: parses as CloudFormation, and every contract the code relies on holds.</summary>
public sealed class TemplateTests
{
    private static readonly HashSet<string> ShortFormTags = new(StringComparer.Ordinal)
    {
        "!Ref", "!Sub", "!GetAtt", "!If", "!Not", "!Equals", "!And", "!Or", "!Condition", "!Join", "!Select",
        "!Split", "!FindInMap", "!Base64", "!Cidr", "!ImportValue", "!GetAZs", "!Transform",
    };

    private readonly SamTemplate _template = SamTemplate.Load(RepoFiles.Template);

    [Fact]
    public void Load_WhenTemplateUsesShortFormTags_ShouldParseWithOnlyCloudFormationIntrinsics()
    {
        var tags = _template.Root.AllNodes.Select(Tag).Where(t => t.Length > 0).ToList();

        Assert.Contains("!Ref", tags);
        Assert.Contains("!GetAtt", tags);
        Assert.All(tags, tag => Assert.Contains(tag, ShortFormTags));
        // LanguageExtensions (Fn::ForEach for the DLQ Pipes) must run before the SAM transform.
        Assert.Equal(["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"], OneOrMany(Find(_template.Root, "Transform")).Select(n => n.ToString()));
    }

    [Fact]
    public void Refs_WhenNamingALogicalId_ShouldNameAParameterOrResource()
    {
        var known = Map(_template.Root, "Parameters").Children.Keys
            .Select(k => ((YamlScalarNode)k).Value!)
            .Concat(_template.AllResources().Select(r => r.LogicalId))
            .Concat(["AWS::StackName", "AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue"])
            .ToHashSet(StringComparer.Ordinal);
        // An Fn::ForEach identifier (e.g. DlqArn) is a name only inside its own loop.
        var loops = _template.Resources.Children
            .Where(c => c.Key.ToString().StartsWith("Fn::ForEach::", StringComparison.Ordinal))
            .Select(c => (Identifier: ((YamlSequenceNode)c.Value).Children[0].ToString(), Nodes: new HashSet<object>(c.Value.AllNodes, ReferenceEqualityComparer.Instance)))
            .ToList();
        var references = _template.Root.AllNodes
            .Where(n => Tag(n) is "!Ref" or "!GetAtt")
            .Select(n => (Node: n, Name: n switch
            {
                YamlScalarNode scalar => scalar.Value!.Split('.')[0],
                // !GetAtt [name, attribute], the name possibly a !Sub over the loop's identifier (LanguageExtensions).
                YamlSequenceNode { Children.Count: 2 } sequence when Tag(sequence.Children[0]) is "" or "!Sub" => sequence.Children[0].ToString(),
                _ => throw new Xunit.Sdk.XunitException($"unexpected {Tag(n)} form at {n.Start}"),
            }))
            .ToList();

        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.True(
            known.Contains(r.Name) || loops.Any(l => l.Identifier == r.Name && l.Nodes.Contains(r.Node)),
            $"{Tag(r.Node)} {r.Name} at {r.Node.Start} names no parameter, resource or enclosing loop identifier"));
    }

    [Fact]
    public void Parameters_WhenDeployedWithDefaults_ShouldOfferTheDocumentedKnobs()
    {
        var parameters = Map(_template.Root, "Parameters");

        foreach (var name in new[] { "ConfigFile", "OpsEmail", "ArchiveRetentionDays", "WorkflowType", "LogRetentionDays", "SecretsPrefix" })
        {
            Assert.NotNull(Find(parameters, name));
        }

        Assert.Equal("STANDARD", Scalar(Map(parameters, "WorkflowType"), "Default"));
        Assert.Equal("ops-pipeline.yaml", Scalar(Map(parameters, "ConfigFile"), "Default"));
        Assert.Equal("/ops/", Scalar(Map(parameters, "SecretsPrefix"), "Default"));
    }

    [Fact]
    public void Handlers_WhenResolvedByReflection_ShouldBePublicStreamInStreamOutMethods()
    {
        var functions = _template.ResourcesOfType("AWS::Serverless::Function").ToList();
        Assert.Equal(["DecideFunction", "DeliverFunction", "DlqEnrichFunction", "TickFunction"], functions.Select(f => f.LogicalId).Order(StringComparer.Ordinal));

        foreach (var (logicalId, properties) in functions)
        {
            var handler = Scalar(properties, "Handler")!;
            var parts = handler.Split("::");
            Assert.True(parts.Length == 3, $"{logicalId}: handler '{handler}' is not Assembly::Type::Method");
            var assembly = typeof(DecideFunction).Assembly;
            Assert.Equal(assembly.GetName().Name, parts[0]);
            var type = assembly.GetType(parts[1], throwOnError: false);
            Assert.True(type is { IsPublic: true }, $"{logicalId}: no public type {parts[1]} in {parts[0]}");
            var method = type!.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
                .SingleOrDefault(m => m.Name == parts[2]);
            Assert.True(method is not null, $"{logicalId}: no single public method {parts[2]} on {parts[1]}");
            Assert.Equal([typeof(Stream)], method!.GetParameters().Select(p => p.ParameterType));
            Assert.True(
                method.ReturnType == typeof(Stream) || method.ReturnType == typeof(Task<Stream>),
                $"{logicalId}: {handler} returns {method.ReturnType}, not Stream or Task<Stream>");
            if (!method.IsStatic)
            {
                // The managed runtime constructs the handler type itself.
                Assert.NotNull(type.GetConstructor(Type.EmptyTypes));
            }
        }
    }

    [Theory]
    [InlineData("Tracing", "Active")]
    [InlineData("CodeUri", "./")]
    public void Functions_WhenPropertyComesFromFunctionOrGlobals_ShouldHaveContractValue(string property, string expected)
    {
        // The Tick is traced only when its caller is (the untraced EXPRESS tick machine): a quiet month records no traces.
        foreach (var (logicalId, properties) in _template.ResourcesOfType("AWS::Serverless::Function"))
        {
            var contract = (property, logicalId) is ("Tracing", "TickFunction") ? "PassThrough" : expected;
            Assert.True(
                _template.FunctionProperty(properties, property) is YamlScalarNode { Value: var value } && value == contract,
                $"{logicalId}: {property} should be {contract}");
        }
    }

    [Fact]
    public void Functions_WhenFunctionBuildIsChosen_ShouldRunOnProvidedAl2023ForAotAndDotnet10ForManaged()
    {
        var parameter = Map(Map(_template.Root, "Parameters"), "FunctionBuild");
        Assert.Equal("aot", Scalar(parameter, "Default"));
        Assert.Equal(["aot", "managed"], ((YamlSequenceNode)Find(parameter, "AllowedValues")!).Select(n => n.ToString()));
        var condition = (YamlSequenceNode)Find(Map(_template.Root, "Conditions"), "BuildsAot")!;
        Assert.Equal("!Equals", Tag(condition));
        Assert.Equal(["FunctionBuild", "aot"], condition.Children.Select(n => n.ToString()));

        foreach (var (logicalId, properties) in _template.ResourcesOfType("AWS::Serverless::Function"))
        {
            var runtime = _template.FunctionProperty(properties, "Runtime") as YamlSequenceNode;
            Assert.True(runtime is not null && Tag(runtime) == "!If", $"{logicalId}: Runtime should be !If [BuildsAot, ...]");
            Assert.Equal(["BuildsAot", "provided.al2023", "dotnet10"], runtime!.Children.Select(n => n.ToString()));
        }
    }

    [Fact]
    public void Functions_WhenSamBuilds_ShouldUseTheMakefileTargetOfTheirLogicalId()
    {
        var makefile = File.ReadAllText(Path.Combine(RepoFiles.Root, "Makefile"));
        var targets = makefile.Split('\n').Where(l => l.StartsWith("build-", StringComparison.Ordinal)).SelectMany(l => l[..l.IndexOf(':', StringComparison.Ordinal)].Split(' ')).ToHashSet(StringComparer.Ordinal);

        foreach (var (logicalId, _) in _template.ResourcesOfType("AWS::Serverless::Function"))
        {
            Assert.Equal("makefile", Scalar(Map(Map(_template.Resources, logicalId), "Metadata"), "BuildMethod"));
            Assert.Contains("build-" + logicalId, targets);
        }
    }

    [Fact]
    public void Functions_WhenDeployed_ShouldRunOnTheArchitectureTheMakefileBuildsWithJsonLogsAndSizedLimits()
    {
        // Native AOT builds for one architecture: the template's and the Makefile's must be the same one
        // (the AOT tests check the binary itself is x86-64 too).
        var makefile = File.ReadAllText(Path.Combine(RepoFiles.Root, "Makefile"));
        Assert.Contains("\nLAMBDA_RID := linux-x64\n", makefile, StringComparison.Ordinal);
        foreach (var (logicalId, properties) in _template.ResourcesOfType("AWS::Serverless::Function"))
        {
            var architectures = OneOrMany(_template.FunctionProperty(properties, "Architectures")).Select(n => n.ToString());
            Assert.Equal(["x86_64"], architectures);
            Assert.Equal("JSON", Scalar(Map(properties, "LoggingConfig"), "LogFormat"));
            // Sized per build from `opsctl coldstart` (docs/benchmarks.md): the AOT build's memory and CPU, the managed build's JIT.
            var memory = Find(properties, "MemorySize") as YamlSequenceNode;
            Assert.True(memory is not null && Tag(memory) == "!If" && memory.Children[0].ToString() == "BuildsAot", $"{logicalId}: MemorySize should be !If [BuildsAot, aot, managed]");
            Assert.True(int.TryParse(memory!.Children[1].ToString(), out var aot) && aot is >= 128 and <= 10240, $"{logicalId}: the AOT build's MemorySize");
            Assert.True(int.TryParse(memory.Children[2].ToString(), out var managed) && managed >= 512, $"{logicalId}: the managed build's MemorySize");
            Assert.True(int.TryParse(Scalar(properties, "Timeout"), out var timeout) && timeout is > 0 and <= 30, $"{logicalId}: Timeout");
        }

        Assert.True(Directory.Exists(Path.Combine(RepoFiles.Root, "functions", "OpsPipeline.Functions")));
    }

    [Theory]
    [InlineData("TABLE_NAME", "AlertTable")]
    [InlineData("OPS_CONFIG_FILE", "ConfigFile")]
    [InlineData("OpsEmailTopicArn", "OpsEmailTopic")]
    [InlineData("SECRETS_PREFIX", "SecretsPrefix")]
    public void FunctionEnvironment_WhenHandlersStart_ShouldDefineVariable(string variable, string refersTo)
    {
        foreach (var (logicalId, properties) in _template.ResourcesOfType("AWS::Serverless::Function"))
        {
            var environment = (YamlMappingNode?)_template.FunctionProperty(properties, "Environment");
            var value = environment is null ? null : Find(Map(environment, "Variables"), variable);
            Assert.True(value is not null, $"{logicalId}: environment variable {variable} is not set");
            Assert.Equal("!Ref", Tag(value!));
            Assert.Equal(refersTo, value!.ToString());
        }
    }

    [Fact]
    public void AlertTable_WhenCreated_ShouldMatchTheStoreKeySchemaAndProtections()
    {
        var table = _template.Properties("AlertTable");

        var keys = ((YamlSequenceNode)Find(table, "KeySchema")!).Children.Cast<YamlMappingNode>()
            .Select(k => $"{Scalar(k, "AttributeName")}:{Scalar(k, "KeyType")}");
        Assert.Equal([$"{TableSchema.PartitionKey}:HASH", $"{TableSchema.SortKey}:RANGE"], keys);
        var attributes = ((YamlSequenceNode)Find(table, "AttributeDefinitions")!).Children.Cast<YamlMappingNode>()
            .Select(a => $"{Scalar(a, "AttributeName")}:{Scalar(a, "AttributeType")}");
        Assert.Equal([$"{TableSchema.PartitionKey}:S", $"{TableSchema.SortKey}:S", $"{TableSchema.DueShard}:S", $"{TableSchema.DueAt}:S"], attributes);
        var index = Assert.Single(((YamlSequenceNode)Find(table, "GlobalSecondaryIndexes")!).Children.Cast<YamlMappingNode>());
        Assert.Equal(TableSchema.DueIndex, Scalar(index, "IndexName"));
        Assert.Equal(
            [$"{TableSchema.DueShard}:HASH", $"{TableSchema.DueAt}:RANGE"],
            ((YamlSequenceNode)Find(index, "KeySchema")!).Children.Cast<YamlMappingNode>().Select(k => $"{Scalar(k, "AttributeName")}:{Scalar(k, "KeyType")}"));
        Assert.Equal("KEYS_ONLY", Scalar(Map(index, "Projection"), "ProjectionType"));
        Assert.Equal("PAY_PER_REQUEST", Scalar(table, "BillingMode"));
        Assert.Equal(TableSchema.ExpiresAt, Scalar(Map(table, "TimeToLiveSpecification"), "AttributeName"));
        Assert.Equal("true", Scalar(Map(table, "TimeToLiveSpecification"), "Enabled"));
        Assert.Equal("true", Scalar(Map(table, "PointInTimeRecoverySpecification"), "PointInTimeRecoveryEnabled"));
        Assert.Equal("true", Scalar(table, "DeletionProtectionEnabled"));
        Assert.Equal("true", Scalar(Map(table, "SSESpecification"), "SSEEnabled"));
    }

    [Theory]
    [InlineData("FailedDeliveryQueue")]
    [InlineData("ParkedEventQueue")]
    [InlineData("EventDeliveryDeadLetterQueue")]
    public void Queues_WhenHoldingParkedMessages_ShouldBeEncryptedAndAlarmed(string queue)
    {
        Assert.Equal("true", Scalar(_template.Properties(queue), "SqsManagedSseEnabled"));

        var alarmed = _template.ResourcesOfType("AWS::CloudWatch::Alarm").Any(alarm =>
            OneOrMany(Find(alarm.Properties, "Dimensions")).Cast<YamlMappingNode>()
                .Any(d => Find(d, "Value") is { } v && Tag(v) == "!GetAtt" && v.ToString() == $"{queue}.QueueName"));
        Assert.True(alarmed, $"no alarm watches {queue}");
    }

    [Fact]
    public void EventRules_WhenTargetsFail_ShouldRetryThenDeadLetter()
    {
        var rules = _template.ResourcesOfType("AWS::Events::Rule").ToList();
        Assert.Equal(["AlarmPipelineRule", "DlqArrivalPipelineRule", "ReactionStatusRule"], rules.Select(r => r.LogicalId).Order(StringComparer.Ordinal));

        foreach (var (logicalId, properties) in rules)
        {
            foreach (var target in ((YamlSequenceNode)Find(properties, "Targets")!).Children.Cast<YamlMappingNode>())
            {
                Assert.True(Find(target, "DeadLetterConfig") is YamlMappingNode, $"{logicalId}: target without DeadLetterConfig");
                Assert.True(Find(target, "RetryPolicy") is YamlMappingNode, $"{logicalId}: target without RetryPolicy");
            }
        }
    }

    [Fact]
    public void AlarmPipelineRule_WhenCloudWatchAlarmChanges_ShouldStartThePipelineFromTheDefaultBusWithNoForward()
    {
        var rule = _template.Properties("AlarmPipelineRule");
        var pattern = Map(rule, "EventPattern");

        // On the default bus: AWS service events reach its rules unbilled; no second bus, no PutEvents, no $1 per million.
        Assert.Equal("default", Scalar(rule, "EventBusName"));
        Assert.Equal(["aws.cloudwatch"], OneOrMany(Find(pattern, "source")).Select(n => n.ToString()));
        Assert.Equal(
            ["CloudWatch Alarm State Change", "CloudWatch Alarm Contributor State Change"],
            OneOrMany(Find(pattern, "detail-type")).Select(n => n.ToString()));
        var target = (YamlMappingNode)((YamlSequenceNode)Find(rule, "Targets")!).Children.Single();
        Assert.Equal("AlertPipelineStateMachine", Find(target, "Arn")!.ToString());
        Assert.Equal("StartAlertPipelineRole.Arn", Find(target, "RoleArn")!.ToString());
        Assert.DoesNotContain(_template.ResourcesOfType("AWS::Events::Rule"), r => OneOrMany(Find(r.Properties, "Targets")).Cast<YamlMappingNode>()
            .Any(t => Find(t, "Arn")!.ToString().EndsWith("Bus.Arn", StringComparison.Ordinal)));

        // The drills' archive is on the same bus, and the stack's outputs give a replay its source and its one rule.
        var archive = _template.Properties("AlarmArchive");
        Assert.Equal(("!Sub", "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"), (Tag(Find(archive, "SourceArn")!), Find(archive, "SourceArn")!.ToString()));
        var outputs = Map(_template.Root, "Outputs");
        Assert.Equal("AlarmArchive.Arn", Find(Map(outputs, "AlarmArchiveArn"), "Value")!.ToString());
        Assert.Equal("AlarmPipelineRule.Arn", Find(Map(outputs, "AlarmPipelineRuleArn"), "Value")!.ToString());
    }

    [Fact]
    public void OpsBus_WhenNoDlqIsWatched_ShouldNotExistAndWhenOneIsCarryOnlyDlqArrivals()
    {
        foreach (var id in new[] { "OpsBus", "OpsBusArchive", "DlqArrivalPipelineRule" })
        {
            Assert.Equal("WatchesDlqs", Scalar(Map(_template.Resources, id), "Condition"));
        }

        var outputs = Map(_template.Root, "Outputs");
        Assert.Equal("WatchesDlqs", Scalar(Map(outputs, "OpsBusArn"), "Condition"));
        Assert.Equal("WatchesDlqs", Scalar(Map(outputs, "OpsBusArchiveArn"), "Condition"));
        var rule = _template.Properties("DlqArrivalPipelineRule");
        Assert.Equal(("!Ref", "OpsBus"), (Tag(Find(rule, "EventBusName")!), Find(rule, "EventBusName")!.ToString()));
        Assert.Equal(["DLQ Message Arrived"], OneOrMany(Find(Map(rule, "EventPattern"), "detail-type")).Select(n => n.ToString()));
    }

    [Fact]
    public void StateMachine_WhenDeployed_ShouldUseTheAslFileWithLoggingTracingAndParameterizedType()
    {
        var machines = _template.ResourcesOfType("AWS::Serverless::StateMachine").ToDictionary(m => m.LogicalId, m => m.Properties);
        Assert.Equal(["AlertPipelineStateMachine", "TickStateMachine"], machines.Keys.Order(StringComparer.Ordinal));
        var machine = machines["AlertPipelineStateMachine"];

        Assert.Equal("statemachines/alert-pipeline.asl.json", Scalar(machine, "DefinitionUri"));
        Assert.True(File.Exists(Path.Combine(RepoFiles.Root, Scalar(machine, "DefinitionUri")!)));
        Assert.Equal("WorkflowType", Find(machine, "Type")!.ToString());
        Assert.Equal("!Ref", Tag(Find(machine, "Type")!));
        Assert.Equal("true", Scalar(Map(machine, "Tracing"), "Enabled"));
        Assert.NotNull(Find(Map(machine, "Logging"), "Destinations"));

        // The tick runs the same file with the same substitutions under the same role, always EXPRESS, and is what the
        // Scheduler starts; the alert pipeline is what the rules start.
        var tick = machines["TickStateMachine"];
        Assert.Equal("EXPRESS", Scalar(tick, "Type"));
        Assert.Equal(Scalar(machine, "DefinitionUri"), Scalar(tick, "DefinitionUri"));
        Assert.Equal(Find(machine, "DefinitionSubstitutions")!.ToString(), Find(tick, "DefinitionSubstitutions")!.ToString());
        Assert.Equal(Find(machine, "Role")!.ToString(), Find(tick, "Role")!.ToString());
        Assert.NotNull(Find(Map(tick, "Logging"), "Destinations"));
        Assert.Equal("TickStateMachine", Find(Map(_template.Properties("TickSchedule"), "Target"), "Arn")!.ToString());
        Assert.Null(Find(tick, "Tracing")); // a trace a minute would cost more than the ticks
        Assert.Equal("PassThrough", Scalar(_template.Properties("TickFunction"), "Tracing"));
    }

    [Fact]
    public void IamStatements_WhenGrantingActions_ShouldNeverGrantAWildcardAction()
    {
        var statements = Statements().ToList();
        Assert.True(statements.Count >= 8, $"expected the template's IAM statements, found {statements.Count}");

        foreach (var (where, statement) in statements)
        {
            var actions = OneOrMany(Find(statement, "Action")).Select(a => a.ToString()).ToList();
            Assert.True(actions.Count > 0, $"{where}: statement without Action");
            Assert.All(actions, action => Assert.False(
                action == "*" || action.EndsWith(":*", StringComparison.Ordinal),
                $"{where}: wildcard action '{action}'"));
        }
    }

    [Fact]
    public void IamStatements_WhenResourceIsStar_ShouldOnlyGrantActionsWithoutResourceLevelPermissions()
    {
        // Log delivery and X-Ray writes cannot be scoped to a resource; everything else must name one.
        // A KMS key policy is the exception by definition: its "*" is the key it is attached to.
        string[] unscopable = ["logs:", "xray:"];
        var keys = _template.ResourcesOfType("AWS::KMS::Key").Select(k => k.LogicalId).ToList();

        foreach (var (where, statement) in Statements().Where(s => !keys.Any(k => s.Where.StartsWith(k, StringComparison.Ordinal))))
        {
            if (OneOrMany(Find(statement, "Resource")).Any(r => r.ToString() == "*"))
            {
                var actions = OneOrMany(Find(statement, "Action")).Select(a => a.ToString());
                Assert.All(actions, action => Assert.True(
                    unscopable.Any(prefix => action.StartsWith(prefix, StringComparison.Ordinal)),
                    $"{where}: '{action}' is granted on Resource '*'"));
            }
        }
    }

    [Theory]
    [InlineData("sns:Publish", "OpsEmailTopic")]
    [InlineData("sqs:SendMessage", "FailedDeliveryQueue.Arn,ParkedEventQueue.Arn,ReactionRedriveDestinationArns")]
    [InlineData("lambda:InvokeFunction", "DecideFunction.Arn,DeliverFunction.Arn,TickFunction.Arn,ReactionFunctionArns")]
    [InlineData("states:StartExecution", "ReactionStateMachineArns")]
    [InlineData("ssm:StartAutomationExecution", "ReactionAutomationArns")]
    [InlineData("events:PutEvents", "ReactionEventBusArns")]
    [InlineData("sqs:StartMessageMoveTask", "ReactionRedriveQueueArns")]
    public void StateMachinePolicy_WhenGrantingAnAction_ShouldScopeItToTheNamedResources(string action, string resources)
    {
        // Both state machines (events, and the tick on EXPRESS) run the one definition under the one role.
        var role = Find(_template.Properties("PipelineStateMachineRole"), "Policies")!;
        var granted = StatementsUnder(role, "PipelineStateMachineRole")
            .Where(s => OneOrMany(Find(s.Statement, "Action")).Any(a => a.ToString() == action))
            .SelectMany(s => OneOrMany(Find(s.Statement, "Resource")).Select(r => r.ToString()))
            .ToList();

        Assert.Equal(resources.Split(','), granted);
    }

    [Fact]
    public void DeliverPolicy_WhenReadingSecrets_ShouldOnlyReadParametersUnderTheSecretsPrefix()
    {
        var deliver = _template.Properties("DeliverFunction");
        var statements = StatementsUnder(deliver, "DeliverFunction").Select(s => s.Statement).ToList();
        var secrets = Assert.Single(statements, s => Scalar(s, "Sid") == "ReceiverSecrets");

        Assert.Equal(["ssm:GetParameter"], OneOrMany(Find(secrets, "Action")).Select(a => a.ToString()));
        var resource = Find(secrets, "Resource")!;
        Assert.Equal("!Sub", Tag(resource));
        Assert.EndsWith(":parameter${SecretsPrefix}*", resource.ToString(), StringComparison.Ordinal);

        // Its only other grant: keeping a delivery a receiver asked to wait for (DeferredDeliveryStore.PutAsync), and
        // the flood guard's count per receiver and minute (FloodGuardStore).
        var defer = Assert.Single(statements, s => Scalar(s, "Sid") != "ReceiverSecrets");
        Assert.Equal("DeferDeliveries", Scalar(defer, "Sid"));
        Assert.Equal(["dynamodb:PutItem", "dynamodb:UpdateItem"], OneOrMany(Find(defer, "Action")).Select(a => a.ToString()));
        Assert.Equal("AlertTable.Arn", Find(defer, "Resource")!.ToString());
    }

    [Fact]
    public void Topics_WhenCreated_ShouldEncryptOpsEmailAndOutputBoth()
    {
        Assert.Equal("alias/aws/sns", Scalar(_template.Properties("OpsEmailTopic"), "KmsMasterKeyId"));
        Assert.Equal("AWS::SNS::Topic", Scalar(Map(_template.Resources, "AlarmTopic"), "Type"));

        var outputs = Map(_template.Root, "Outputs");
        foreach (var name in new[] { "AlarmArchiveArn", "AlertPipelineStateMachineArn", "OpsEmailTopicArn", "AlarmTopicArn" })
        {
            Assert.NotNull(Find(outputs, name));
        }
    }

    [Fact]
    public void SamConfig_WhenDeploying_ShouldNameTheStackAndConfirmChangesets()
    {
        var config = File.ReadAllText(RepoFiles.SamConfig);

        Assert.Contains("stack_name = \"serverless-ops-pipeline\"", config, StringComparison.Ordinal);
        // AUTO_EXPAND because the template uses AWS::LanguageExtensions (Fn::ForEach).
        Assert.Contains("capabilities = \"CAPABILITY_IAM CAPABILITY_AUTO_EXPAND\"", config, StringComparison.Ordinal);
        Assert.Contains("confirm_changeset = true", config, StringComparison.Ordinal);
        Assert.Contains("resolve_s3 = true", config, StringComparison.Ordinal);
    }

    private IEnumerable<(string Where, YamlMappingNode Statement)> Statements()
    {
        foreach (var (key, value) in _template.Resources.Children)
        {
            foreach (var statement in StatementsUnder(value, ((YamlScalarNode)key).Value!))
            {
                yield return statement;
            }
        }
    }

    /// <summary>Every statement, a conditional one (`!If [condition, statement, !Ref AWS::NoValue]`) as the statement it grants when its condition holds.</summary>
    private static IEnumerable<(string Where, YamlMappingNode Statement)> StatementsUnder(YamlNode node, string where) =>
        node.AllNodes.OfType<YamlMappingNode>()
            .Select(m => Find(m, "Statement"))
            .OfType<YamlSequenceNode>()
            .SelectMany(s => s.Children.Select(c => c is YamlSequenceNode { Tag.Value: "!If" } @if ? (YamlMappingNode)@if.Children[1] : (YamlMappingNode)c))
            .Select(s => (where, s));

    [Fact]
    public void ErrorBudgets_WhenDeployed_ShouldHaveADashboardWidgetAndAnExhaustionAlarmOnTheAlarmTopic()
    {
        var alarm = _template.Properties("ErrorBudgetExhaustedAlarm");
        var query = Scalar((YamlMappingNode)((YamlSequenceNode)Find(alarm, "Metrics")!).Children[0], "Expression");
        Assert.Contains("ErrorBudgetRemainingPercent", query);
        Assert.Contains("ServerlessOpsPipeline", query);
        Assert.Equal("LessThanOrEqualToThreshold", Scalar(alarm, "ComparisonOperator"));
        Assert.Equal("0", Scalar(alarm, "Threshold"));
        Assert.Equal("AlarmTopic", OneOrMany(Find(alarm, "AlarmActions")).Single().ToString());

        var body = Find(_template.Properties("OpsDashboard"), "DashboardBody")!.ToString()
            .Replace("${AWS::Region}", "us-east-1", StringComparison.Ordinal)
            .Replace("${AWS::StackName}", "stack", StringComparison.Ordinal);
        using var dashboard = System.Text.Json.JsonDocument.Parse(body);
        var metrics = dashboard.RootElement.GetProperty("widgets").EnumerateArray().Select(w => w.GetProperty("properties").GetProperty("metrics").GetRawText()).ToList();
        Assert.Contains(metrics, m => m.Contains("ErrorBudgetRemainingPercent", StringComparison.Ordinal));
        Assert.Contains(metrics, m => m.Contains("BurnRate", StringComparison.Ordinal));
        Assert.NotNull(Find(Map(_template.Root, "Outputs"), "DashboardUrl"));
    }

    [Fact]
    public void DlqPipes_WhenQueuesAreWatched_ShouldEnrichEachIntoTheOpsBusUnderItsOwnRoleAndCreateNoneByDefault()
    {
        // Empty by default: [''] joins back to '', so WatchesDlqs is false and the one (empty) item creates nothing.
        Assert.Equal(string.Empty, Scalar(Map(Map(_template.Root, "Parameters"), "DlqArns"), "Default"));
        var watches = Find(Map(_template.Root, "Conditions"), "WatchesDlqs")!;
        Assert.Equal("!Not", Tag(watches));
        var equals = (YamlSequenceNode)((YamlSequenceNode)watches).Children.Single();
        Assert.Equal("!Equals", Tag(equals));
        Assert.Equal(string.Empty, ((YamlScalarNode)equals.Children[1]).Value);
        var joined = (YamlSequenceNode)equals.Children[0];
        Assert.Equal(("!Join", ","), (Tag(joined), joined.Children[0].ToString()));
        Assert.Equal(("!Ref", "DlqArns"), (Tag(joined.Children[1]), joined.Children[1].ToString()));

        var forEach = (YamlSequenceNode)Find(_template.Resources, "Fn::ForEach::DlqPipes")!;
        Assert.Equal("DlqArn", forEach.Children[0].ToString());
        Assert.Equal(("!Ref", "DlqArns"), (Tag(forEach.Children[1]), forEach.Children[1].ToString()));
        var perQueue = (YamlMappingNode)forEach.Children[2];
        Assert.Equal(["DlqPipe&{DlqArn}", "DlqPipeRole&{DlqArn}"], perQueue.Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));

        var pipe = Map(perQueue, "DlqPipe&{DlqArn}");
        Assert.Equal("AWS::Pipes::Pipe", Scalar(pipe, "Type"));
        Assert.Equal("WatchesDlqs", Scalar(pipe, "Condition"));
        var properties = Map(pipe, "Properties");
        Assert.Equal(("!Ref", "DlqArn"), (Tag(Find(properties, "Source")!), Find(properties, "Source")!.ToString()));
        // RoleArn: !GetAtt [!Sub 'DlqPipeRole&{DlqArn}', Arn], this queue's role (LanguageExtensions allows the Sub).
        var role = (YamlSequenceNode)Find(properties, "RoleArn")!;
        Assert.Equal("!GetAtt", Tag(role));
        Assert.Equal(("!Sub", "DlqPipeRole&{DlqArn}", "Arn"), (Tag(role.Children[0]), role.Children[0].ToString(), role.Children[1].ToString()));
        Assert.Equal("DlqEnrichFunction.Arn", Find(properties, "Enrichment")!.ToString());
        Assert.Equal("OpsBus.Arn", Find(properties, "Target")!.ToString());
        var bus = Map(Map(properties, "TargetParameters"), "EventBridgeEventBusParameters");
        Assert.Equal(("DLQ Message Arrived", "ops-pipeline.dlq"), (Scalar(bus, "DetailType"), Scalar(bus, "Source")));
        // An SQS source takes no retry limit or dead-letter target (the queue's redrive policy bounds retries).
        var sqs = Map(Map(properties, "SourceParameters"), "SqsQueueParameters");
        Assert.Equal(["BatchSize", "MaximumBatchingWindowInSeconds"], sqs.Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));

        var pipeRole = Map(perQueue, "DlqPipeRole&{DlqArn}");
        Assert.Equal("AWS::IAM::Role", Scalar(pipeRole, "Type"));
        Assert.Equal("WatchesDlqs", Scalar(pipeRole, "Condition"));
        var grants = StatementsUnder(Find(Map(pipeRole, "Properties"), "Policies")!, "DlqPipeRole&{DlqArn}")
            .SelectMany(s => OneOrMany(Find(s.Statement, "Action")).Select(a => (Action: a.ToString(), Resources: OneOrMany(Find(s.Statement, "Resource")))))
            .ToList();
        Assert.Equal(
            ["events:PutEvents", "lambda:InvokeFunction", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
            grants.Select(g => g.Action).Order(StringComparer.Ordinal));
        Assert.All(grants.Where(g => g.Action.StartsWith("sqs:", StringComparison.Ordinal)), g =>
            Assert.Equal([("!Ref", "DlqArn")], g.Resources.Select(r => (Tag(r), r.ToString()))));
        Assert.Equal(["DlqEnrichFunction.Arn"], grants.Single(g => g.Action == "lambda:InvokeFunction").Resources.Select(r => r.ToString()));
        Assert.Equal(["OpsBus.Arn"], grants.Single(g => g.Action == "events:PutEvents").Resources.Select(r => r.ToString()));
        var trust = StatementsUnder(Map(Map(pipeRole, "Properties"), "AssumeRolePolicyDocument"), "DlqPipeRole&{DlqArn}").Single().Statement;
        Assert.Equal("pipes.amazonaws.com", Find(Map(trust, "Principal"), "Service")!.ToString());

        // No role outside the ForEach reaches the watched queues: each Pipe's identity is its own.
        // (YamlNode equality is structural: the nodes are told apart by reference.)
        var allowed = new HashSet<object>(forEach.AllNodes.Concat(watches.AllNodes), ReferenceEqualityComparer.Instance);
        var refs = _template.Root.AllNodes.Where(n => Tag(n) == "!Ref" && n.ToString() == "DlqArns").ToList();
        Assert.Equal(2, refs.Count);
        Assert.All(refs, n => Assert.Contains(n, allowed));
    }

    [Fact]
    public void Topics_WhenCreated_ShouldAllBeEncryptedAndTheAlarmTopicUnderAKeyCloudWatchMayUse()
    {
        foreach (var (logicalId, properties) in _template.ResourcesOfType("AWS::SNS::Topic"))
        {
            Assert.True(Find(properties, "KmsMasterKeyId") is not null, $"{logicalId} is not encrypted");
        }

        // The key the stack creates, or the team's own (AlarmTopicKeyArn): encrypted either way.
        var kms = (YamlSequenceNode)Find(_template.Properties("AlarmTopic"), "KmsMasterKeyId")!;
        Assert.Equal("!If", Tag(kms));
        Assert.Equal(["CreatesAlarmTopicKey", "AlarmTopicKey", "AlarmTopicKeyArn"], kms.Children.Select(c => c.ToString()));
        Assert.Equal("CreatesAlarmTopicKey", Scalar(Map(_template.Resources, "AlarmTopicKey"), "Condition"));
        var key = _template.Properties("AlarmTopicKey");
        Assert.Equal("true", Scalar(key, "EnableKeyRotation"));
        var statements = (YamlSequenceNode)Find(Map(key, "KeyPolicy"), "Statement")!;
        Assert.Contains(statements.Children.Cast<YamlMappingNode>(), s =>
            Find(Map(s, "Principal"), "Service")?.ToString() == "cloudwatch.amazonaws.com"
            && OneOrMany(Find(s, "Action")).Select(a => a.ToString()).Order(StringComparer.Ordinal).SequenceEqual(["kms:Decrypt", "kms:GenerateDataKey"]));
    }

    [Fact]
    public void Dashboard_WhenTurnedOff_ShouldLeaveOutTheDashboardAndItsUrlButNoAlarm()
    {
        Assert.Equal("HasDashboard", Scalar(Map(_template.Resources, "OpsDashboard"), "Condition"));
        Assert.Equal("HasDashboard", Scalar(Map(Map(_template.Root, "Outputs"), "DashboardUrl"), "Condition"));
        Assert.All(_template.ResourcesOfType("AWS::CloudWatch::Alarm"), a => Assert.Null(Find(Map(_template.Resources, a.LogicalId), "Condition")));
    }

    [Fact]
    public void Alarms_WhenTheyFire_ShouldPageTheAlarmTopicDirectly()
    {
        var alarms = _template.ResourcesOfType("AWS::CloudWatch::Alarm").ToList();
        Assert.True(alarms.Count >= 8, $"expected the pipeline's own alarms, found {alarms.Count}");
        Assert.All(alarms, a => Assert.Equal(["AlarmTopic"], OneOrMany(Find(a.Properties, "AlarmActions")).Select(n => n.ToString())));
    }

    [Fact]
    public void Dashboard_WhenOpened_ShouldShowTheRedViewDlqDepthsThrottlesAndBudgets()
    {
        var body = Find(_template.Properties("OpsDashboard"), "DashboardBody")!.ToString();

        foreach (var metric in new[] { "ExecutionsStarted", "ExecutionsFailed", "Errors", "Throttles", "ExecutionThrottled", "ThrottledRequests", "Duration", "ApproximateNumberOfMessagesVisible", "EventsDecided", "DeliveriesSent", "DeliveryFailures", "ErrorBudgetRemainingPercent", "BurnRate" })
        {
            Assert.Contains(metric, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ReservedConcurrency_WhenZero_ShouldLeaveFunctionsUnreservedSoSmallAccountsCanDeploy()
    {
        Assert.Equal("0", Scalar(Map(Map(_template.Root, "Parameters"), "ReservedConcurrency"), "Default"));
        foreach (var name in new[] { "DecideFunction", "DeliverFunction" })
        {
            var reserved = (YamlSequenceNode)Find(_template.Properties(name), "ReservedConcurrentExecutions")!;
            Assert.Equal("!If", Tag(reserved));
            Assert.Equal("HasReservedConcurrency", reserved.Children[0].ToString());
        }
    }

    [Fact]
    public void FunctionsProject_WhenPublishedForLambda_ShouldBeReadyToRunForTheTargetRuntime()
    {
        // FUNCTION_BUILD=managed packages for linux-x64 (the Architectures above), which sets a RuntimeIdentifier:
        // ReadyToRun then precompiles the handlers, cutting JIT time from every cold start.
        var project = File.ReadAllText(Path.Combine(RepoFiles.Root, "functions", "OpsPipeline.Functions", "OpsPipeline.Functions.csproj"));

        Assert.Contains("<PublishReadyToRun Condition=\"'$(RuntimeIdentifier)' != ''\">true</PublishReadyToRun>", project, StringComparison.Ordinal);
    }
}
