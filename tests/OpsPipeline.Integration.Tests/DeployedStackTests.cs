using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// opsctl on a deployed stack named by --stack (or samconfig.toml's), as its own process against a local AWS endpoint:
/// the table and queues come from the stack's /&lt;stack&gt;/ SSM parameters, credentials and region from profiles of
/// temporary AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (static keys; IAM Identity Center with a cached token),
/// and every failure is one line with docs/opsctl.md's exit code.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeployedStackTests : IDisposable
{
    private const string StartUrl = "https://example.awsapps.com/start";
    private const string DeliverArn = "arn:aws:lambda:eu-west-1:111122223333:function:demo-DeliverFunction-AbC";

    private readonly StateDirectory _home = new("aws-home");
    private readonly FakeAwsEndpoint _aws = new();

    public DeployedStackTests()
    {
        File.WriteAllText(_home.File("config"), $"""
            [profile ops]
            region = eu-west-1

            [profile sso]
            sso_start_url = {StartUrl}
            sso_region = eu-west-1
            sso_account_id = 111122223333
            sso_role_name = Operator
            region = eu-west-1

            [profile noregion]
            """);
        File.WriteAllText(_home.File("credentials"), """
            [ops]
            aws_access_key_id = AKIDOPSTEST
            aws_secret_access_key = ops-secret-key

            [noregion]
            aws_access_key_id = AKIDNOREGION
            aws_secret_access_key = other-secret-key
            """);
        _aws.Parameters["/demo/AlertTableName"] = "demo-AlertTable-1X2Y";
        _aws.Parameters["/demo/FailedDeliveryQueueUrl"] = $"{_aws.Url}/111122223333/demo-FailedDeliveryQueue-9Z";
        _aws.Parameters["/demo/DeliverFunctionArn"] = DeliverArn;
    }

    public void Dispose()
    {
        _aws.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task FailedList_WhenTheStackIsNamed_ShouldReadTheQueueItsParameterNamesWithTheProfilesKeyAndRegion()
    {
        _aws.QueueMessages.Add("""{"receiver":"oncall","channel":"pagerduty","action":"trigger","alertKey":"k1","dedupKey":"d1","drill":false,"target":{"parameter":"/ops/pagerduty/routing-key"},"payload":{},"error":{"Error":"PermanentDeliveryException","Cause":"pagerduty receiver oncall: HTTP 400"}}""");

        var (exit, output, err) = await RunAsync("failed", "list", "--stack", "demo", "--profile", "ops");

        Assert.Equal((0, string.Empty), (exit, err));
        Assert.Equal(
            "RECEIVER  CHANNEL    ACTION   ALERT  ERROR                       CAUSE\n"
            + "oncall    pagerduty  trigger  k1     PermanentDeliveryException  pagerduty receiver oncall: HTTP 400\n"
            + "1 failed deliveries\n",
            output);
        var (lookup, receive) = (_aws.Requests[0], _aws.Requests[1]);
        Assert.Equal(("AmazonSSM.GetParametersByPath", "/demo"), (lookup.Target, (string?)JsonNode.Parse(lookup.Body)!["Path"]));
        Assert.Equal(("AKIDOPSTEST", "eu-west-1", "ssm"), lookup.Scope);
        Assert.Equal(("AmazonSQS.ReceiveMessage", _aws.Parameters["/demo/FailedDeliveryQueueUrl"]), (receive.Target, (string?)JsonNode.Parse(receive.Body)!["QueueUrl"]));
        Assert.Equal(("AKIDOPSTEST", "eu-west-1", "sqs"), receive.Scope);
    }

    [Fact]
    public async Task SilenceQuery_WhenRegionIsGiven_ShouldWinOverTheProfilesAndQueryTheStacksTable()
    {
        var (exit, _, err) = await RunAsync("silence", "query", "--stack", "demo", "--profile", "ops", "--region", "us-west-2");

        Assert.Equal((0, string.Empty), (exit, err));
        var query = Assert.Single(_aws.Requests, r => r.Target == "DynamoDB_20120810.Query");
        Assert.Equal("demo-AlertTable-1X2Y", (string?)JsonNode.Parse(query.Body)!["TableName"]);
        Assert.All(_aws.Requests, r => Assert.Equal("us-west-2", r.Scope.Region));
    }

    [Fact]
    public async Task SilenceQuery_WhenOnlyAProfileIsGiven_ShouldLookUpSamconfigsStackAndNameThePathItLookedUp()
    {
        var (exit, output, err) = await RunAsync("silence", "query", "--profile", "ops");

        Assert.Equal((2, string.Empty), (exit, output));
        Assert.Equal("opsctl: silence query: --stack serverless-ops-pipeline: no parameters under /serverless-ops-pipeline/ in eu-west-1: is the stack deployed in this account and region (sam deploy writes them)? Give --stack, --region or --profile\n", err);
        Assert.Equal("/serverless-ops-pipeline", (string?)JsonNode.Parse(Assert.Single(_aws.Requests).Body)!["Path"]);
    }

    [Fact]
    public async Task AlertQuery_WhenTheProfileIsSsoWithACachedLogin_ShouldSignWithTheRoleCredentialsSsoGave()
    {
        var cache = Directory.CreateDirectory(Path.Combine(_home.Path, ".aws", "sso", "cache")).FullName;
        var name = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(StartUrl)));
        File.WriteAllText(Path.Combine(cache, name + ".json"), $$"""{"startUrl":"{{StartUrl}}","region":"eu-west-1","accessToken":"cached-sso-token","expiresAt":"2099-01-01T00:00:00Z"}""");

        var (exit, _, err) = await RunAsync("alert", "query", "--stack", "demo", "--profile", "sso");

        Assert.Equal((0, string.Empty), (exit, err));
        var sso = _aws.Requests[0];
        Assert.Equal(("GET", "/federation/credentials?account_id=111122223333&role_name=Operator", "cached-sso-token"), (sso.Method, sso.Path, sso.Headers.GetValueOrDefault("x-amz-sso_bearer_token")));
        Assert.Equal(("ASIASSOTEST", "eu-west-1", "ssm"), _aws.Requests[1].Scope);
        Assert.Equal("sso-session", _aws.Requests[1].Headers.GetValueOrDefault("x-amz-security-token"));
    }

    public static TheoryData<string[], int, string> OneLineErrors() => new()
    {
        { ["silence", "query", "--stack", "demo", "--profile", "sso"], 2, "opsctl: silence query: --profile sso: the IAM Identity Center (SSO) login is missing or expired: run `aws sso login --profile sso`" },
        { ["silence", "query", "--stack", "demo", "--profile", "opz"], 2, "opsctl: silence query: --profile opz: no such profile in {home}/config or {home}/credentials; did you mean 'ops'?" },
        { ["alert", "query", "--stack", "demo", "--profile", "noregion"], 2, "opsctl: alert query: --stack demo needs an AWS region: give --region, or set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region in ~/.aws/config)" },
        { ["budget", "--stack", "1demo", "--profile", "ops"], 2, "opsctl: budget: --stack: '1demo' is not a stack name (a letter, then letters, digits and hyphens)" },
        { ["drill", "report", "game-day-1", "--stack", "demo", "--profile", "ops", "--region", "eu-wst-1"], 2, "opsctl: drill report: --region: 'eu-wst-1' is not an AWS region; did you mean 'eu-west-1'?" },
        { ["notify", "test", "team", "--stack", "gone", "--profile", "ops"], 2, "opsctl: notify test: --stack gone: no parameters under /gone/ in eu-west-1: is the stack deployed in this account and region (sam deploy writes them)? Give --stack, --region or --profile" },
    };

    [Theory]
    [MemberData(nameof(OneLineErrors))]
    public async Task Opsctl_WhenTheStackCannotBeReached_ShouldSayWhyInOneLineWithItsExitCode(string[] args, int expectedExit, string line)
    {
        var (exit, output, err) = await RunAsync(args);

        Assert.Equal((expectedExit, string.Empty), (exit, output));
        Assert.Equal(line.Replace("{home}", _home.Path, StringComparison.Ordinal) + "\n", err);
    }

    [Fact]
    public async Task NotifyTest_WhenTheStackIsNamed_ShouldInvokeItsDeliverSignedForLambdaAndPrintTheReceiversAnswer()
    {
        _aws.Invoke = (200, null, """{"notifyTest":{"receiver":"team","channel":"slack","summary":"[TEST] opsctl notify test from tester at 2026-12-02T03:00:00Z","answers":[{"action":"test","status":200,"body":"ok"}]}}""");

        var (exit, output, err) = await RunAsync("notify", "test", "team", "--stack", "demo", "--profile", "ops", "--from", "tester");

        Assert.Equal((0, string.Empty), (exit, err));
        Assert.Equal("sent to team (slack) through Deliver of stack demo (eu-west-1): [TEST] opsctl notify test from tester at 2026-12-02T03:00:00Z\ntest: HTTP 200 ok\n", output);
        var invoke = _aws.Requests[^1];
        Assert.Equal(("POST", $"/2015-03-31/functions/{DeliverArn}/invocations"), (invoke.Method, invoke.Path));
        Assert.Equal("""{"notifyTest":{"receiver":"team","from":"tester"}}""", invoke.Body);
        Assert.Equal(("AKIDOPSTEST", "eu-west-1", "lambda"), invoke.Scope);
        Assert.Contains("SignedHeaders=", invoke.Authorization, StringComparison.Ordinal);
        Assert.Equal("RequestResponse", invoke.Headers.GetValueOrDefault("x-amz-invocation-type"));
    }

    [Fact]
    public async Task NotifyTest_WhenTheReceiverRefuses_ShouldPrintItsAnswerAndExitOne()
    {
        _aws.Invoke = (200, null, """{"notifyTest":{"receiver":"team","channel":"slack","summary":"[TEST] opsctl notify test from tester at 2026-12-02T03:00:00Z","answers":[{"action":"test","status":404,"body":"no_team"}]}}""");

        var (exit, output, err) = await RunAsync("notify", "test", "team", "--stack", "demo", "--profile", "ops", "--from", "tester");

        Assert.Equal((1, string.Empty), (exit, err));
        Assert.EndsWith("\ntest: HTTP 404 no_team\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyTest_WhenLambdaDeniesTheInvoke_ShouldSayWhatAwsAnsweredInOneLine()
    {
        const string Denied = "User: arn:aws:sts::111122223333:assumed-role/Operator/tester is not authorized to perform: lambda:InvokeFunction on resource: " + DeliverArn + " because no identity-based policy allows the lambda:InvokeFunction action";
        _aws.Invoke = (403, "AccessDeniedException", $$"""{"Type":"User","Message":"{{Denied}}"}""");

        var (exit, output, err) = await RunAsync("notify", "test", "team", "--stack", "demo", "--profile", "ops");

        Assert.Equal((1, string.Empty), (exit, output));
        Assert.Equal($"opsctl: notify test: AWS AccessDeniedException: {Denied}\n", err);
    }

    [Fact]
    public async Task NotifyTest_WhenTheDeployedConfigLacksTheReceiver_ShouldNameTheNearestOneDeliverKnows()
    {
        // The local config has 'team'; the deployed one (Deliver's) is older and has 'team-alerts'.
        _aws.Invoke = (200, null, """{"notifyTest":{"receiver":"team","error":"no receiver 'team' in the deployed config","nearest":"teams"}}""");

        var (exit, output, err) = await RunAsync("notify", "test", "team", "--stack", "demo", "--profile", "ops");

        Assert.Equal((2, string.Empty), (exit, output));
        Assert.Equal("opsctl notify test: no receiver 'team' in the deployed config; did you mean 'teams'?\n", err);
    }

    /// <summary>opsctl as its own process with only the temporary profile files and the fake endpoint for AWS.</summary>
    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "opsctl.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["AWS_CONFIG_FILE"] = _home.File("config");
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = _home.File("credentials");
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["AWS_ENDPOINT_URL"] = _aws.Url;
        psi.Environment["HOME"] = _home.Path; // the SSO token cache is ~/.aws/sso/cache
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
