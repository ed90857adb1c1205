using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.SimpleSystemsManagement;
using Amazon.SQS;

namespace OpsCtl.Deployed;

/// <summary>
/// Who opsctl is and where it calls AWS: the SDK's own resolution (environment, default profile, instance role) unless
/// --profile names a profile of the shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE):
/// static keys, a role to assume, or an IAM Identity Center (SSO) login. --region wins over the profile's region.
/// </summary>
public sealed class AwsSession
{
    private AwsSession(AWSCredentials? credentials, RegionEndpoint? region, string? profile)
    {
        Credentials = credentials;
        Region = region;
        Profile = profile;
    }

    /// <summary>The profile's credentials; null for the SDK's default chain.</summary>
    public AWSCredentials? Credentials { get; }

    /// <summary>--region, else the profile's; null leaves it to the SDK (AWS_REGION, AWS_DEFAULT_REGION, the default profile).</summary>
    public RegionEndpoint? Region { get; }

    public string? Profile { get; }

    /// <summary>
    /// A session against one endpoint for every service (the local stack's AWS API and Lambda host), with the
    /// credentials that name the caller there: opsctl's deployed code path, checked by the local stack's IAM.
    /// </summary>
    public static AwsSession ForEndpoint(AWSCredentials credentials, RegionEndpoint region, string serviceUrl) =>
        new(credentials, region, null) { ServiceUrl = serviceUrl };

    /// <summary>The endpoint every client of this session calls instead of AWS's regional ones; null for AWS's.</summary>
    public string? ServiceUrl { get; private init; }

    /// <summary>The session of --profile and --region (either may be null); a missing profile is a usage error naming it.</summary>
    public static AwsSession Resolve(string? profileName, string? regionName)
    {
        var region = regionName is null ? null : RegionOf(regionName);
        if (profileName is null)
        {
            return new AwsSession(null, region, null);
        }

        var chain = new CredentialProfileStoreChain();
        if (!chain.TryGetProfile(profileName, out var profile))
        {
            var known = chain.ListProfiles().Select(p => p.Name).ToList();
            var nearest = NearestName.Of(profileName, known);
            throw new CommandFailedException(ExitCodes.Usage, $"--profile {profileName}: no such profile in {ConfigFile} or {CredentialsFile}"
                + (nearest is null ? string.Empty : $"; did you mean '{nearest}'?"));
        }

        AWSCredentials credentials;
        try
        {
            credentials = AWSCredentialsFactory.GetAWSCredentials(profile, chain);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or AmazonClientException)
        {
            throw new CommandFailedException(ExitCodes.Usage, $"--profile {profileName}: {e.Message.TrimEnd('.')}");
        }

        return new AwsSession(credentials, region ?? profile.Region, profileName) { IsSso = IsSsoProfile(profile) };
    }

    /// <summary>Whether the profile signs in through IAM Identity Center (its credentials come from a cached SSO token).</summary>
    public bool IsSso { get; private init; }

    /// <summary>The region calls go to: this session's, else the SDK's fallback (environment, default profile); null when there is none.</summary>
    public RegionEndpoint? EffectiveRegion => Region ?? FallbackRegionFactory.GetRegionEndpoint();

    /// <summary>
    /// Fetches the profile's credentials now, so a missing or expired SSO login is one line before any call is made
    /// (the SDK would otherwise fail inside the first call with a message about tokens).
    /// </summary>
    public async Task<ImmutableCredentials?> CheckCredentialsAsync()
    {
        if (Credentials is null)
        {
            return null;
        }

        try
        {
            return await Credentials.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsSso && e is AmazonClientException or AmazonServiceException or InvalidOperationException or IOException)
        {
            throw new CommandFailedException(ExitCodes.Usage, $"--profile {Profile}: the IAM Identity Center (SSO) login is missing or expired: run `aws sso login --profile {Profile}`");
        }
        catch (AmazonServiceException e)
        {
            throw new CommandFailedException(ExitCodes.RunFailed, $"--profile {Profile}: AWS {e.ErrorCode ?? e.StatusCode.ToString()}: {e.Message}");
        }
    }

    public IAmazonSimpleSystemsManagement Ssm()
    {
        var config = Configure(new AmazonSimpleSystemsManagementConfig());
        return Credentials is { } c ? new AmazonSimpleSystemsManagementClient(c, config) : new AmazonSimpleSystemsManagementClient(config);
    }

    public IAmazonDynamoDB DynamoDb()
    {
        var config = Configure(new AmazonDynamoDBConfig());
        return Credentials is { } c ? new AmazonDynamoDBClient(c, config) : new AmazonDynamoDBClient(config);
    }

    public IAmazonSQS Sqs()
    {
        var config = Configure(new AmazonSQSConfig());
        return Credentials is { } c ? new AmazonSQSClient(c, config) : new AmazonSQSClient(config);
    }

    /// <summary>The credentials to sign a request opsctl makes itself (the Lambda Invoke API): the profile's, else the SDK's default chain.</summary>
    public AWSCredentials SigningCredentials() => Credentials ?? Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials();

    private T Configure<T>(T config)
        where T : ClientConfig
    {
        if (ServiceUrl is { } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = Region?.SystemName;
        }
        else if (Region is { } region)
        {
            config.RegionEndpoint = region;
            // Signed for this region also when AWS_ENDPOINT_URL points elsewhere (a VPC endpoint, a local test endpoint).
            config.AuthenticationRegion = region.SystemName;
        }

        return config;
    }

    private static string ConfigFile => Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") ?? "~/.aws/config";

    private static string CredentialsFile => Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials";

    private static bool IsSsoProfile(CredentialProfile profile) =>
        !string.IsNullOrEmpty(profile.Options.SsoStartUrl) || !string.IsNullOrEmpty(profile.Options.SsoSession);

    private static RegionEndpoint RegionOf(string name)
    {
        var known = RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).ToList();
        if (known.Contains(name, StringComparer.Ordinal))
        {
            return RegionEndpoint.GetBySystemName(name);
        }

        // A region the SDK does not list yet is still allowed when it looks like one (xx-name-N) and is no typo of a known one.
        var nearest = NearestName.Of(name, known);
        return nearest is null && System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z]{2}(-[a-z]+)+-[0-9]+$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1))
            ? RegionEndpoint.GetBySystemName(name)
            : throw new CommandFailedException(ExitCodes.Usage, $"--region: '{name}' is not an AWS region" + (nearest is null ? string.Empty : $"; did you mean '{nearest}'?"));
    }
}
