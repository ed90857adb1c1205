namespace OpsPipeline.Functions;

/// <summary>
/// Everything a function reads from its environment, read once at start into one typed object: the handlers and
/// adapters never read the environment themselves.
/// </summary>
public sealed record FunctionSettings
{
    /// <summary>The environment variables a config may name as ${Name}: the template's own, and a team's OPS_CONFIG_* ones.</summary>
    public static readonly IReadOnlySet<string> SubstitutableVariables = new HashSet<string>(StringComparer.Ordinal) { "OpsEmailTopicArn" };

    /// <summary>Prefix of the environment variables a team may add for its own ${Name} substitutions.</summary>
    public const string SubstitutionPrefix = "OPS_CONFIG_";

    /// <summary>OPS_CONFIG_FILE: the pipeline config, relative to the function's folder unless rooted.</summary>
    public required string ConfigFile { get; init; }

    /// <summary>TABLE_NAME: the pipeline's one DynamoDB table (null locally until a stack names it).</summary>
    public string? TableName { get; init; }

    /// <summary>PAGERDUTY_EVENTS_URL: the Events API v2 endpoint.</summary>
    public Uri PagerDutyEventsUrl { get; init; } = new("https://events.pagerduty.com/v2/enqueue");

    /// <summary>ARCHIVE_RETENTION_DAYS: how long parked DLQ bodies are kept (as long as the archive keeps the events that reference them).</summary>
    public TimeSpan ParkedBodyRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The allowed config substitutions and their values.</summary>
    public IReadOnlyDictionary<string, string> Substitutions { get; init; } = new Dictionary<string, string>();

    /// <summary>This process's settings.</summary>
    public static FunctionSettings FromEnvironment() => From(name => Environment.GetEnvironmentVariable(name), Environment.GetEnvironmentVariables());

    /// <summary>
    /// Settings from an environment. Config substitutions (${Name}) are only the allowed ones: the function's
    /// environment also holds its AWS credentials and runtime settings, which no config may pull into a notification.
    /// </summary>
    public static FunctionSettings From(Func<string, string?> variable, System.Collections.IDictionary all)
    {
        var substitutions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in all)
        {
            var name = (string)e.Key;
            if (SubstitutableVariables.Contains(name) || (name.StartsWith(SubstitutionPrefix, StringComparison.Ordinal) && name != "OPS_CONFIG_FILE"))
            {
                substitutions[name] = (string?)e.Value ?? string.Empty;
            }
        }

        var configFile = variable("OPS_CONFIG_FILE") ?? "ops-pipeline.yaml";
        return new FunctionSettings
        {
            ConfigFile = Path.IsPathRooted(configFile) ? configFile : Path.Combine(AppContext.BaseDirectory, configFile),
            TableName = variable("TABLE_NAME"),
            PagerDutyEventsUrl = variable("PAGERDUTY_EVENTS_URL") is { } url ? new Uri(url) : new Uri("https://events.pagerduty.com/v2/enqueue"),
            ParkedBodyRetention = TimeSpan.FromDays(int.TryParse(variable("ARCHIVE_RETENTION_DAYS"), out var days) && days > 0 ? days : 30),
            Substitutions = substitutions,
        };
    }
}
