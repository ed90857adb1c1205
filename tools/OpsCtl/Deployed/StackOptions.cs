using System.CommandLine;
using OpsCtl.Local;

namespace OpsCtl.Deployed;

/// <summary>
/// --stack, --region and --profile: which deployed pipeline a command works on. Any of them means the deployed stack;
/// without --stack it is samconfig.toml's stack_name (what `sam deploy` deployed).
/// </summary>
public sealed class StackOptions
{
    public Option<string?> Stack { get; } = new("--stack") { Description = "The deployed stack, by name (default: stack_name in samconfig.toml); opsctl finds its table and queues under /<stack>/ in SSM" };

    public Option<string?> Region { get; } = new("--region") { Description = "AWS region of the stack (default: the profile's, AWS_REGION)" };

    public Option<string?> Profile { get; } = new("--profile") { Description = "AWS profile of ~/.aws/config (static keys, a role, or IAM Identity Center/SSO: run `aws sso login --profile NAME` first)" };

    public IEnumerable<Option> All => [Stack, Region, Profile];

    /// <summary>Adds the three options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Whether the command line asks for a deployed stack (any of the three given).</summary>
    public bool Given(ParseResult parse) => All.Any(o => parse.GetResult(o) is { Implicit: false });

    /// <summary>The stack named, or samconfig.toml's; a usage error when neither names one.</summary>
    public string StackName(ParseResult parse) =>
        parse.GetValue(Stack)
        ?? SamConfig.StackName(RepoPaths.SamConfig)
        ?? throw new CommandFailedException(ExitCodes.Usage, $"--stack: no stack named and no stack_name in {RepoPaths.SamConfig}");

    /// <summary>The session of --profile and --region, its credentials checked (an SSO login that is missing says so).</summary>
    public async Task<AwsSession> SessionAsync(ParseResult parse)
    {
        var session = AwsSession.Resolve(parse.GetValue(Profile), parse.GetValue(Region));
        await session.CheckCredentialsAsync().ConfigureAwait(false);
        return session;
    }

    /// <summary>The session and the stack's parameters (--stack or samconfig.toml's stack).</summary>
    public async Task<(AwsSession Session, StackOutputs Outputs)> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        var stack = StackName(parse);
        var session = await SessionAsync(parse).ConfigureAwait(false);
        var region = session.EffectiveRegion
            ?? throw new CommandFailedException(ExitCodes.Usage, $"--stack {stack} needs an AWS region: give --region, or set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region in ~/.aws/config)");
        using var ssm = session.Ssm();
        return (session, await StackOutputs.ReadAsync(ssm, stack, region.SystemName, ct).ConfigureAwait(false));
    }
}
