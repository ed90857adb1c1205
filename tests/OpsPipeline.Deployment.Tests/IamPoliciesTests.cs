using System.Text.Json.Nodes;
using OpsCtl.Local.Aws;

namespace OpsPipeline.Deployment.Tests;

/// <summary>The IAM evaluator of the strict local stack: what it allows, what it refuses, and what it will not guess.</summary>
public class IamPoliciesTests
{
    private static IamPolicies Policies(string statements, string extraResources = "") => new(new CfnTemplate(JsonNode.Parse($$"""
        {
          "Parameters": { "Prefix": { "Type": "String", "Default": "/ops/" } },
          "Resources": {
            "Table": { "Type": "AWS::DynamoDB::Table", "Properties": {} },
            "Fn": { "Type": "AWS::Lambda::Function", "Properties": {} },
            "R": { "Type": "AWS::IAM::Role", "Properties": {
              "Policies": [ { "PolicyName": "p", "PolicyDocument": { "Version": "2012-10-17", "Statement": {{statements}} } } ] } }
            {{extraResources}}
          }
        }
        """)!.AsObject()));

    private const string TableArn = "arn:aws:dynamodb:us-east-1:000000000000:table/Table";

    [Theory]
    [InlineData("dynamodb:GetItem", TableArn, true)]
    [InlineData("DynamoDB:getitem", TableArn, true)] // actions are case-insensitive
    [InlineData("dynamodb:PutItem", TableArn, false)]
    [InlineData("dynamodb:GetItem", TableArn + "/index/due", false)] // an index is its own resource
    [InlineData("dynamodb:Query", TableArn + "/index/due", true)]
    [InlineData("ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/ops/slack/team", true)]
    [InlineData("ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/other/x", false)]
    public void Evaluate_WhenTheRoleGrantsSomeActions_ShouldAllowExactlyThose(string action, string resource, bool allowed)
    {
        var iam = Policies("""
            [ { "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": { "Fn::GetAtt": ["Table", "Arn"] } },
              { "Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": { "Fn::Sub": "${Table.Arn}/index/*" } },
              { "Effect": "Allow", "Action": "ssm:GetParameter", "Resource": { "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${Prefix}*" } } ]
            """);

        Assert.Equal(allowed, iam.Evaluate("R", "fn", action, resource).Allowed);
    }

    [Fact]
    public void Evaluate_WhenAnExplicitDenyMatches_ShouldRefuseDespiteAnAllow()
    {
        var iam = Policies("""
            [ { "Effect": "Allow", "Action": "dynamodb:*", "Resource": "*" },
              { "Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": { "Fn::GetAtt": ["Table", "Arn"] } } ]
            """);

        var decision = iam.Evaluate("R", "fn", "dynamodb:DeleteItem", TableArn);

        Assert.False(decision.Allowed);
        Assert.EndsWith("with an explicit deny in an identity-based policy", decision.Message, StringComparison.Ordinal);
        Assert.True(iam.Evaluate("R", "fn", "dynamodb:PutItem", TableArn).Allowed);
    }

    [Fact]
    public void Demand_WhenNothingAllows_ShouldThrowAccessDeniedNamingPrincipalActionAndResource()
    {
        var iam = Policies("""[ { "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*" } ]""");

        var e = Assert.Throws<AccessDeniedException>(() => iam.Demand("R", "ops-tick", "dynamodb:BatchGetItem", TableArn));

        Assert.Equal($"User: arn:aws:sts::000000000000:assumed-role/R/ops-tick is not authorized to perform: dynamodb:BatchGetItem on resource: {TableArn} because no identity-based policy allows the dynamodb:BatchGetItem action", e.Message);
    }

    [Fact]
    public void Evaluate_WhenAConditionOnTheSourceArnIsUsed_ShouldApplyOnlyToThatSource()
    {
        var iam = Policies("""
            [ { "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*", "Condition": { "ArnEquals": { "aws:SourceArn": "arn:aws:events:us-east-1:000000000000:rule/a" } } } ]
            """);

        Assert.True(iam.Evaluate("R", "s", "sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:q", new IamContext(SourceArn: "arn:aws:events:us-east-1:000000000000:rule/a")).Allowed);
        Assert.False(iam.Evaluate("R", "s", "sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:q", new IamContext(SourceArn: "arn:aws:events:us-east-1:000000000000:rule/b")).Allowed);
        Assert.False(iam.Evaluate("R", "s", "sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:q").Allowed);
    }

    [Theory]
    [InlineData("""[ { "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" } ]""", "NotAction")]
    [InlineData("""[ { "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::x/*" } ]""", "NotResource")]
    [InlineData("""[ { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": { "IpAddress": { "aws:SourceIp": "10.0.0.0/8" } } } ]""", "IpAddress")]
    [InlineData("""[ { "Effect": "Allow", "Action": "s3:GetObject", "Resource": { "Fn::ImportValue": "x" } } ]""", "Fn::ImportValue")]
    public void Load_WhenAPolicyUsesWhatTheEvaluatorCannotEvaluate_ShouldFailRatherThanAllow(string statements, string named)
    {
        var e = Assert.Throws<CfnEvaluationException>(() => Policies(statements));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenAManagedPolicyIsUnknown_ShouldFailRatherThanAllow()
    {
        var e = Assert.Throws<CfnEvaluationException>(() => Policies("[]", """
            , "R2": { "Type": "AWS::IAM::Role", "Properties": { "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"] } }
            """));

        Assert.Contains("AdministratorAccess", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QueueAllowsService_WhenADenyMatchesBesideTheAllow_ShouldRefuse()
    {
        var queue = """
            , "Q": { "Type": "AWS::SQS::Queue", "Properties": {} },
            "QP": { "Type": "AWS::SQS::QueuePolicy", "Properties": { "Queues": [ { "Ref": "Q" } ], "PolicyDocument": { "Statement": [
              { "Effect": "Allow", "Principal": { "Service": "events.amazonaws.com" }, "Action": "sqs:SendMessage", "Resource": { "Fn::GetAtt": ["Q", "Arn"] } },
              { "Effect": "Deny", "Principal": { "Service": "events.amazonaws.com" }, "Action": "sqs:*", "Resource": "*", "Condition": { "ArnLike": { "aws:SourceArn": "arn:aws:events:*:000000000000:rule/blocked-*" } } } ] } } }
            """;
        var iam = Policies("[]", queue);
        const string url = "https://sqs.us-east-1.amazonaws.com/000000000000/Q";
        const string arn = "arn:aws:sqs:us-east-1:000000000000:Q";

        Assert.True(iam.QueueAllowsService(url, arn, "events.amazonaws.com", "sqs:SendMessage", new IamContext("arn:aws:events:us-east-1:000000000000:rule/ok")).Allowed);
        var denied = iam.QueueAllowsService(url, arn, "events.amazonaws.com", "sqs:SendMessage", new IamContext("arn:aws:events:us-east-1:000000000000:rule/blocked-1"));
        Assert.False(denied.Allowed);
        Assert.Contains("explicit deny", denied.Message, StringComparison.Ordinal);
        // ArnLike checks each colon-separated part: a * in the region part never spans into the account's.
        Assert.True(iam.QueueAllowsService(url, arn, "events.amazonaws.com", "sqs:SendMessage", new IamContext("arn:aws:events:us-east-1:111111111111:rule/blocked-1")).Allowed);
    }
}
