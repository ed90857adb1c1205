namespace OpsPipeline.Core.Configuration;

/// <summary>One problem in the configuration file, at a 1-based line and column, on a field path like <c>route.routes[1].receiver</c>.</summary>
public sealed record ConfigError(int Line, int Column, string Field, string Message)
{
    /// <summary>The compiler-style line editors and CI logs link to: <c>{source}:{line}:{column}: {field}: {message}</c>.</summary>
    public string Format(string sourceName) => $"{sourceName}:{Line}:{Column}: {Field}: {Message}";
}

/// <summary>The configuration is invalid; <see cref="Errors"/> holds every problem found, not just the first.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string sourceName, IReadOnlyList<ConfigError> errors)
        : base(string.Join('\n', errors.Select(e => e.Format(sourceName))))
    {
        SourceName = sourceName;
        Errors = errors;
    }

    public ConfigException()
        : this("config", [])
    {
    }

    public ConfigException(string message)
        : base(message)
    {
        SourceName = "config";
        Errors = [];
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        SourceName = "config";
        Errors = [];
    }

    public string SourceName { get; }

    public IReadOnlyList<ConfigError> Errors { get; }
}
