using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>Resolves a secret (webhook URL, routing key) from its SSM parameter name. Values are never logged.</summary>
public interface ISecretStore
{
    Task<string> GetAsync(string parameterName, CancellationToken ct);
}

/// <summary>A fixed map of parameter names to values: the local stack's stand-in for SSM.</summary>
public sealed class InMemorySecretStore(IReadOnlyDictionary<string, string> values) : ISecretStore
{
    public Task<string> GetAsync(string parameterName, CancellationToken ct) =>
        values.TryGetValue(parameterName, out var v)
            ? Task.FromResult(v)
            : throw new PermanentDeliveryException($"secret parameter {parameterName} is not defined");
}
