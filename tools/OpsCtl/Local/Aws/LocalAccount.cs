namespace OpsCtl.Local.Aws;

/// <summary>
/// The names and ARNs the template's resources get in the local account (what CloudFormation would give them in
/// a real one): one table for the whole pipeline, a function per handler, the queues the state machine parks on.
/// </summary>
public static class LocalAccount
{
    public const string Partition = "aws";
    public const string Region = "us-east-1";
    public const string AccountId = "000000000000";
    public const string StackName = "ops-pipeline";

    /// <summary>Physical names of the resources the local stack serves, by logical id.</summary>
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["AlertTable"] = "ops-pipeline",
        ["DecideFunction"] = "ops-decide",
        ["DeliverFunction"] = "ops-deliver",
        ["TickFunction"] = "ops-tick",
        ["DlqEnrichFunction"] = "ops-dlq-enrich",
        ["FailedDeliveryQueue"] = "ops-failed-deliveries",
        ["ParkedEventQueue"] = "ops-parked-events",
        ["EventDeliveryDeadLetterQueue"] = "ops-event-delivery-dlq",
        ["OpsEmailTopic"] = "ops-email",
        ["AlarmTopic"] = "ops-alarms",
        ["AlertPipelineStateMachine"] = "ops-alert-pipeline",
        ["TickStateMachine"] = "ops-tick-pipeline",
        ["OpsBus"] = StackName + "-ops",
    };

    /// <summary>The physical name of a resource: the local name above, or its logical id.</summary>
    public static string NameOf(string logicalId) => Names.GetValueOrDefault(logicalId, logicalId);

    public static string FunctionArn(string logicalId) => $"arn:{Partition}:lambda:{Region}:{AccountId}:function:{NameOf(logicalId)}";

    public static string QueueUrl(string logicalId) => $"https://sqs.{Region}.amazonaws.com/{AccountId}/{NameOf(logicalId)}";

    public static string QueueArn(string name) => $"arn:{Partition}:sqs:{Region}:{AccountId}:{name}";

    public static string TableArn(string tableName) => $"arn:{Partition}:dynamodb:{Region}:{AccountId}:table/{tableName}";

    public static string TopicArn(string logicalId) => $"arn:{Partition}:sns:{Region}:{AccountId}:{NameOf(logicalId)}";

    public static string StateMachineArn => StateMachineArnOf("AlertPipelineStateMachine");

    /// <summary>The minute tick's own state machine (EXPRESS, the same definition).</summary>
    public static string TickStateMachineArn => StateMachineArnOf("TickStateMachine");

    public static string StateMachineArnOf(string logicalId) => $"arn:{Partition}:states:{Region}:{AccountId}:stateMachine:{NameOf(logicalId)}";

    public static string EventBusArn(string logicalId) => $"arn:{Partition}:events:{Region}:{AccountId}:event-bus/{NameOf(logicalId)}";

    /// <summary>The ARN of an SSM parameter by name, as IAM sees it (names are paths: /ops/x is parameter/ops/x).</summary>
    public static string ParameterArn(string name) => $"arn:{Partition}:ssm:{Region}:{AccountId}:parameter{(name.StartsWith('/') ? name : "/" + name)}";

    /// <summary>The principal a role's session is, as AWS names it in an AccessDenied message.</summary>
    public static string AssumedRole(string role, string session) => $"arn:{Partition}:sts::{AccountId}:assumed-role/{role}/{session}";

    /// <summary>The queue ARN behind an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME).</summary>
    public static string? QueueArnOfUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var parts = uri.AbsolutePath.Trim('/').Split('/');
        var host = uri.Host.Split('.');
        return parts.Length == 2 && host.Length >= 2 && host[0] == "sqs" ? $"arn:{Partition}:sqs:{host[1]}:{parts[0]}:{parts[1]}" : null;
    }

    /// <summary>The value of Ref / Fn::GetAtt for a resource of the template, in the local account.</summary>
    public static string Attribute(string logicalId, string type, string? attribute)
    {
        var name = NameOf(logicalId);
        return (type, attribute) switch
        {
            ("AWS::DynamoDB::Table", null) => name,
            ("AWS::DynamoDB::Table", "Arn") => TableArn(name),
            ("AWS::Lambda::Function", null) => name,
            ("AWS::Lambda::Function", "Arn") => FunctionArn(logicalId),
            ("AWS::SQS::Queue", null or "QueueUrl") => QueueUrl(logicalId),
            ("AWS::SQS::Queue", "Arn") => QueueArn(name),
            ("AWS::SQS::Queue", "QueueName") => name,
            ("AWS::SNS::Topic", null or "TopicArn") => TopicArn(logicalId),
            ("AWS::SNS::Topic", "TopicName") => name,
            ("AWS::StepFunctions::StateMachine", null or "Arn") => StateMachineArnOf(logicalId),
            ("AWS::StepFunctions::StateMachine", "Name") => name,
            ("AWS::Events::EventBus", null or "Name") => name,
            ("AWS::Events::EventBus", "Arn") => EventBusArn(logicalId),
            ("AWS::Events::Rule", "Arn") => $"arn:{Partition}:events:{Region}:{AccountId}:rule/{name}",
            ("AWS::Events::Archive", "Arn") => $"arn:{Partition}:events:{Region}:{AccountId}:archive/{name}",
            ("AWS::IAM::Role", null) => name,
            ("AWS::IAM::Role", "Arn") => $"arn:{Partition}:iam::{AccountId}:role/{name}",
            ("AWS::Logs::LogGroup", null) => name,
            ("AWS::Logs::LogGroup", "Arn") => $"arn:{Partition}:logs:{Region}:{AccountId}:log-group:{name}:*",
            ("AWS::KMS::Key", null or "KeyId") => name,
            ("AWS::KMS::Key", "Arn") => $"arn:{Partition}:kms:{Region}:{AccountId}:key/{name}",
            (_, null) => name,
            _ => throw new CfnEvaluationException($"no local value for Fn::GetAtt {logicalId}.{attribute} ({type})"),
        };
    }
}
