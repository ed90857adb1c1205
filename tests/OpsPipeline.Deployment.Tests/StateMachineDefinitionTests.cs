using System.Text.Json.Nodes;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Notifiers.Sns;
using OpsPipeline.Functions;
using YamlDotNet.RepresentationModel;
using static OpsPipeline.Deployment.Tests.SamTemplate;

namespace OpsPipeline.Deployment.Tests;

/// <summary>statemachines/alert-pipeline.asl.json against template.yaml and the function assemblies.</summary>
public sealed class StateMachineDefinitionTests
{
    /// <summary>Step Functions' predefined error names (a typo here would silently never match).</summary>
    private static readonly HashSet<string> StatesErrors = new(StringComparer.Ordinal)
    {
        "States.ALL", "States.DataLimitExceeded", "States.ExceedToleratedFailureThreshold", "States.HeartbeatTimeout",
        "States.Http.Socket", "States.IntrinsicFailure", "States.ItemReaderFailed", "States.NoChoiceMatched",
        "States.ParameterPathFailure", "States.Permissions", "States.QueryEvaluationError", "States.ResultPathMatchFailure",
        "States.ResultWriterFailed", "States.Runtime", "States.TaskFailed", "States.Timeout", "States.BranchFailed",
    };

    /// <summary>Errors the Lambda service (not our code) raises on Invoke.</summary>
    private static readonly HashSet<string> LambdaServiceErrors = new(StringComparer.Ordinal)
    {
        "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException", "Lambda.ClientExecutionTimeoutException", "Lambda.Unknown",
        "Lambda.ResourceNotFoundException", "Lambda.AccessDeniedException", "Lambda.InvalidParameterValueException",
    };

    /// <summary>Errors DynamoDB raises through the optimized integration (the reaction run's record).</summary>
    private static readonly HashSet<string> DynamoDbErrors = new(StringComparer.Ordinal)
    {
        "DynamoDB.ConditionalCheckFailedException", "DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.RequestLimitExceeded",
        "DynamoDB.InternalServerError", "DynamoDB.ThrottlingException", "DynamoDB.AmazonDynamoDBException",
    };

    private readonly AslDefinition _asl = AslDefinition.Load(RepoFiles.Asl);
    private readonly SamTemplate _template = SamTemplate.Load(RepoFiles.Template);

    [Fact]
    public void Placeholders_WhenDeployed_ShouldEachBeDefinedInDefinitionSubstitutions()
    {
        var substitutions = DefinitionSubstitutions();
        var placeholders = _asl.Placeholders();

        Assert.Equal(
            ["DecideFunctionArn", "DeliverFunctionArn", "FailedDeliveryQueueUrl", "ParkedEventQueueUrl", "TableName", "TickFunctionArn"],
            placeholders.Order(StringComparer.Ordinal));
        Assert.All(placeholders, name => Assert.True(substitutions.ContainsKey(name), $"${{{name}}} has no DefinitionSubstitutions entry"));
        Assert.All(substitutions.Keys, name => Assert.True(placeholders.Contains(name), $"DefinitionSubstitutions.{name} is not used by the ASL"));
    }

    [Fact]
    public void ErrorEquals_WhenMatchingErrors_ShouldNameStatesOrLambdaErrorsOrOurExceptionTypes()
    {
        var ourExceptions = new[] { typeof(DecideFunction).Assembly, typeof(Delivery).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => typeof(Exception).IsAssignableFrom(t))
            .Select(t => t.Name)
            .ToHashSet(StringComparer.Ordinal);
        var errors = _asl.ErrorEquals().ToList();

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(
            StatesErrors.Contains(e.Error) || LambdaServiceErrors.Contains(e.Error) || DynamoDbErrors.Contains(e.Error) || ourExceptions.Contains(e.Error),
            $"{e.State}.{e.Field}: '{e.Error}' is neither a States.* error, a Lambda or DynamoDB service error nor an exception type in OpsPipeline.Functions/Core"));
    }

    [Theory]
    [InlineData("InvalidEventException", "Catch")]
    [InlineData("StateConflictException", "Retry", "Catch")] // Decide retries it; the Tick yields to the next minute's tick.
    [InlineData("TransientDeliveryException", "Retry")]
    [InlineData("PermanentDeliveryException")] // Caught by States.ALL; named only so no Retry ever lists it.
    public void ErrorContract_WhenFunctionsThrowAnAgreedError_ShouldHaveTheTypeAndTheMatchingRule(string typeName, params string[] fields)
    {
        var found = new[] { typeof(DecideFunction).Assembly, typeof(Delivery).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Any(t => t.Name == typeName && typeof(Exception).IsAssignableFrom(t));

        Assert.True(found, $"{typeName} is part of the error contract but no such exception type exists");
        Assert.Equal(
            fields.Order(StringComparer.Ordinal),
            _asl.ErrorEquals().Where(e => e.Error == typeName).Select(e => e.Field).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Retry_WhenErrorIsPermanent_ShouldNeverRetryIt()
    {
        var retried = _asl.ErrorEquals().Where(e => e.Field == "Retry").Select(e => e.Error).ToList();

        Assert.DoesNotContain("PermanentDeliveryException", retried);
        Assert.DoesNotContain("InvalidEventException", retried);
        Assert.DoesNotContain("States.ALL", retried);
    }

    [Fact]
    public void Retry_WhenATaskRetries_ShouldBackOffExponentiallyWithFullJitter()
    {
        var retriers = _asl.States()
            .Where(s => s.State["Retry"] is not null)
            .SelectMany(s => s.State["Retry"]!.AsArray().Select(r => (s.Name, Retrier: r!.AsObject())))
            .ToList();

        Assert.True(retriers.Count >= 5);
        Assert.All(retriers, r =>
        {
            Assert.True(r.Retrier["JitterStrategy"]?.GetValue<string>() == "FULL", $"{r.Name}: JitterStrategy is not FULL");
            Assert.True(r.Retrier["BackoffRate"]?.GetValue<double>() >= 2, $"{r.Name}: BackoffRate below 2");
            Assert.True(r.Retrier["MaxAttempts"]?.GetValue<int>() is > 0 and <= 10, $"{r.Name}: MaxAttempts out of 1..10");
        });
    }

    [Fact]
    public void DeliverRetry_WhenReceiverIsFlaky_ShouldUseTheAgreedBackoff()
    {
        var retrier = _asl.State("Deliver notification")["Retry"]!.AsArray().Single()!.AsObject();

        Assert.Equal(
            ["TransientDeliveryException", "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
            retrier["ErrorEquals"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(2, retrier["IntervalSeconds"]!.GetValue<int>());
        Assert.Equal(2, retrier["BackoffRate"]!.GetValue<double>());
        // Bounded so that one attempt, one backoff, one deferring attempt and parking fit Deliver's deadline
        // reserve (see ExecutionBudgetTests); a receiver down for longer is parked and redriven, not waited on.
        Assert.Equal(4, retrier["MaxAttempts"]!.GetValue<int>());
        Assert.Equal(20, retrier["MaxDelaySeconds"]!.GetValue<int>());
    }

    [Fact]
    public void DeliveryTasks_WhenTheyFailForGood_ShouldParkTheWholeDeliveryWithItsError()
    {
        var inMap = _asl.States().Where(s => s.InsideMap == "Send deliveries" && s.State["Type"]!.GetValue<string>() == "Task").ToList();
        var park = _asl.State("Park failed delivery");

        Assert.Equal(["Publish to SNS", .. ReactionTasks.Keys, "Deliver notification", "Park failed delivery", .. RecordTasks], inMap.Select(s => s.Name));
        foreach (var (name, state, _) in inMap.Where(s => s.Name != "Park failed delivery"))
        {
            // The last catcher takes everything; a reaction that did not start is recorded first (so its receivers
            // are told), then parked; a lambda reaction that ran and failed is recorded, not parked (it ran).
            var catcher = state["Catch"]!.AsArray().Last()!.AsObject();
            Assert.Equal(["States.ALL"], catcher["ErrorEquals"]!.AsArray().Select(e => e!.GetValue<string>()));
            var next = catcher["Next"]!.GetValue<string>();
            var parks = next == "Park failed delivery" || (next == "Record reaction not started" && _asl.State(next)["Next"]!.GetValue<string>() == "Park failed delivery")
                || (name == "React: invoke function" && next == "Record reaction failed");
            Assert.True(parks, $"{name} does not park");
            Assert.Equal(RecordTasks.Contains(name) ? "$.recordError" : "$.error", catcher["ResultPath"]!.GetValue<string>());
        }

        // A record that already exists is a retried step: done. A start failure of any reaction parks after its record.
        Assert.All(RecordTasks, r => Assert.Equal("DynamoDB.ConditionalCheckFailedException", _asl.State(r)["Catch"]![0]!["ErrorEquals"]![0]!.GetValue<string>()));
        Assert.All(ReactionTasks.Keys.Where(k => k != "React: invoke function"), k => Assert.Equal("Record reaction not started", _asl.State(k)["Catch"]!.AsArray().Single()!["Next"]!.GetValue<string>()));

        Assert.Equal("arn:aws:states:::sqs:sendMessage", park["Resource"]!.GetValue<string>());
        Assert.Equal("${FailedDeliveryQueueUrl}", park["Parameters"]!["QueueUrl"]!.GetValue<string>());
        Assert.Equal("$", park["Parameters"]!["MessageBody.$"]!.GetValue<string>());
    }

    [Fact]
    public void Decide_WhenEventIsInvalidOrAnythingFails_ShouldParkTheExecutionInputWithItsError()
    {
        var decide = _asl.State("Decide alert");
        var catchers = decide["Catch"]!.AsArray().Select(c => c!.AsObject()).ToList();

        Assert.Equal("${DecideFunctionArn}", decide["Resource"]!.GetValue<string>());
        // Bad input by name, then everything else after the Retry: nothing Decide cannot handle disappears.
        Assert.Equal(["InvalidEventException", "States.ALL"], catchers.Select(c => c["ErrorEquals"]!.AsArray().Single()!.GetValue<string>()));
        Assert.All(catchers, c => Assert.Equal("Prepare parked copy", c["Next"]!.GetValue<string>()));
        Assert.Contains(_asl.State("Run tick")["Catch"]!.AsArray(), c => c!["ErrorEquals"]!.AsArray().Single()!.GetValue<string>() == "States.ALL" && c["Next"]!.GetValue<string>() == "Prepare parked copy");

        // Decide renders the parked copy from the raw execution input and the error ...
        var prepare = _asl.State("Prepare parked copy");
        Assert.Equal("${DecideFunctionArn}", prepare["Resource"]!.GetValue<string>());
        Assert.Equal("$$.Execution.Input", prepare["Parameters"]!["parkedEvent.$"]!.GetValue<string>());
        Assert.Equal("$", prepare["Parameters"]!["error.$"]!.GetValue<string>());
        var park = _asl.State(prepare["Next"]!.GetValue<string>());
        Assert.Equal("arn:aws:states:::sqs:sendMessage", park["Resource"]!.GetValue<string>());
        Assert.Equal("${ParkedEventQueueUrl}", park["Parameters"]!["QueueUrl"]!.GetValue<string>());
        Assert.Equal("$.body", park["Parameters"]!["MessageBody.$"]!.GetValue<string>());
        Assert.Equal("Succeed", _asl.State(park["Next"]!.GetValue<string>())["Type"]!.GetValue<string>());

        // ... and if it cannot, the raw input is parked as Step Functions writes it.
        var raw = _asl.State(prepare["Catch"]!.AsArray().Single()!["Next"]!.GetValue<string>());
        Assert.Equal("${ParkedEventQueueUrl}", raw["Parameters"]!["QueueUrl"]!.GetValue<string>());
        Assert.Equal("$$.Execution.Input", raw["Parameters"]!["MessageBody"]!["event.$"]!.GetValue<string>());
        Assert.Equal("Succeed", _asl.State(raw["Next"]!.GetValue<string>())["Type"]!.GetValue<string>());
    }

    [Fact]
    public void PublishToSns_WhenDeliveryIsSns_ShouldPassTheDeliveryContractPaths()
    {
        var choice = _asl.State("Route by channel")["Choices"]!.AsArray()[0]!.AsObject();
        var publish = _asl.State("Publish to SNS");

        Assert.Equal("$.channel", choice["Variable"]!.GetValue<string>());
        Assert.Equal(SnsNotifier.ChannelName, choice["StringEquals"]!.GetValue<string>());
        Assert.Equal("arn:aws:states:::sns:publish", publish["Resource"]!.GetValue<string>());
        Assert.Equal("$.target.topicArn", publish["Parameters"]!["TopicArn.$"]!.GetValue<string>());
        Assert.Equal("$.payload", publish["Parameters"]!["Message.$"]!.GetValue<string>());
        Assert.Equal("$.subject", publish["Parameters"]!["Subject.$"]!.GetValue<string>());
        var attributes = publish["Parameters"]!["MessageAttributes"]!.AsObject();
        Assert.Equal(["receiver", "action", "alertKey", "dedupKey", "drill"], attributes.Select(a => a.Key));
        Assert.All(attributes, a => Assert.Equal("String", a.Value!["DataType"]!.GetValue<string>()));
        Assert.Equal("${DeliverFunctionArn}", _asl.State("Deliver notification")["Resource"]!.GetValue<string>());
    }

    /// <summary>Each reaction kind's task (issue 17): its service integration and the delivery fields it reads.</summary>
    private static readonly string[] RecordTasks = ["Record reaction", "Record reaction failed", "Record reaction not started"];

    private static readonly Dictionary<string, (string Channel, string Resource, string[] Paths)> ReactionTasks = new()
    {
        ["React: invoke function"] = ("lambda", "arn:aws:states:::lambda:invoke", ["FunctionName.$=$.target.arn", "Payload.$=$.payload"]),
        ["React: start execution"] = ("stepFunctions", "arn:aws:states:::states:startExecution", ["StateMachineArn.$=$.target.arn", "Name.$=$.target.executionName", "Input.$=$.payload"]),
        ["React: start automation"] = ("ssmAutomation", "arn:aws:states:::aws-sdk:ssm:startAutomationExecution", ["DocumentName.$=$.target.documentName", "Parameters.$=$.payload", "ClientToken.$=$.target.clientToken"]),
        ["React: put event"] = ("eventBridge", "arn:aws:states:::events:putEvents", []),
        ["React: redrive to a queue"] = ("sqsRedrive", "arn:aws:states:::aws-sdk:sqs:startMessageMoveTask", ["SourceArn.$=$.target.arn", "DestinationArn.$=$.target.destinationArn"]),
        ["React: redrive to the source"] = ("sqsRedrive", "arn:aws:states:::aws-sdk:sqs:startMessageMoveTask", ["SourceArn.$=$.target.arn"]),
    };

    [Fact]
    public void ReactionTasks_WhenADeliveryIsAReaction_ShouldRouteItsKindToItsIntegrationRetryWithJitterAndPark()
    {
        var choices = _asl.State("Route by channel")["Choices"]!.AsArray().Select(c => c!.AsObject()).ToList();

        foreach (var (name, (channel, resource, paths)) in ReactionTasks)
        {
            var task = _asl.State(name);
            var rule = Assert.Single(choices, c => c["Next"]!.GetValue<string>() == name);
            Assert.Contains($"\"{channel}\"", rule.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal(resource, task["Resource"]!.GetValue<string>());
            Assert.All(paths.Select(p => p.Split('=')), p => Assert.Equal(p[1], task["Parameters"]![p[0]]!.GetValue<string>()));
            var retry = task["Retry"]!.AsArray().Single()!.AsObject();
            Assert.Equal(("FULL", 3), (retry["JitterStrategy"]!.GetValue<string>(), retry["MaxAttempts"]!.GetValue<int>()));
        }

        var put = _asl.State("React: put event")["Parameters"]!["Entries"]![0]!;
        Assert.Equal(("$.target.arn", "$.target.detailType", "States.JsonToString($.payload)"),
            (put["EventBusName.$"]!.GetValue<string>(), put["DetailType.$"]!.GetValue<string>(), put["Detail.$"]!.GetValue<string>()));
        // The redrive with a destination is chosen first, when the delivery names one.
        Assert.True(choices.FindIndex(c => c["Next"]!.GetValue<string>() == "React: redrive to a queue") < choices.FindIndex(c => c["Next"]!.GetValue<string>() == "React: redrive to the source"));
    }

    [Fact]
    public void StateNames_WhenNested_ShouldBeUniqueAcrossTheDefinition()
    {
        // Step Functions requires it, and the local stack keys its task overrides by state name.
        var names = _asl.States().Select(s => s.Name).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void LambdaTasks_WhenTheFunctionTimesOut_ShouldWaitLongerThanTheFunctionTimeout()
    {
        // Otherwise States.Timeout fires while the function still runs, and a retry runs it twice at once.
        var substitutions = DefinitionSubstitutions();
        var lambdaTasks = _asl.States()
            .Where(s => s.State["Resource"]?.GetValue<string>() is { } r && r.StartsWith("${", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(4, lambdaTasks.Count); // Decide, the Tick, Deliver, and Decide again rendering a parked copy
        foreach (var (name, state, _) in lambdaTasks)
        {
            var placeholder = state["Resource"]!.GetValue<string>()[2..^1];
            var getAtt = substitutions[placeholder];
            Assert.Equal("!GetAtt", Tag(getAtt));
            var function = getAtt.ToString().Split('.')[0];
            var functionTimeout = int.Parse(Scalar(_template.Properties(function), "Timeout")!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(
                state["TimeoutSeconds"]?.GetValue<int>() > functionTimeout,
                $"{name}: TimeoutSeconds must exceed {function}'s Timeout ({functionTimeout} s)");
        }
    }

    [Fact]
    public void Definition_WhenExpress_ShouldFinishWithinTheFiveMinuteLimit()
    {
        Assert.True(_asl.Root["TimeoutSeconds"]?.GetValue<int>() is > 0 and < 300);
    }

    private Dictionary<string, YamlNode> DefinitionSubstitutions()
    {
        var machine = _template.Properties("AlertPipelineStateMachine");
        return Map(machine, "DefinitionSubstitutions").Children
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => kv.Value, StringComparer.Ordinal);
    }
}
