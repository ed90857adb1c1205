using System.Collections.Concurrent;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>SSM SecureString parameters, cached for a bounded time so a rotated secret is picked up.</summary>
public sealed class SsmSecretStore(IAmazonSimpleSystemsManagement ssm, TimeProvider clock, TimeSpan ttl) : ISecretStore
{
    private readonly ConcurrentDictionary<string, (string Value, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public async Task<string> GetAsync(string parameterName, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(parameterName, out var hit) && hit.Expires > now)
        {
            return hit.Value;
        }

        try
        {
            var response = await ssm.GetParameterAsync(new GetParameterRequest { Name = parameterName, WithDecryption = true }, ct).ConfigureAwait(false);
            var value = response.Parameter.Value;
            _cache[parameterName] = (value, now + ttl);
            return value;
        }
        catch (ParameterNotFoundException)
        {
            // Names only: the value is the secret, the name is configuration.
            throw new PermanentDeliveryException($"secret parameter {parameterName} does not exist");
        }
        catch (AmazonSimpleSystemsManagementException e) when (e.StatusCode is System.Net.HttpStatusCode.TooManyRequests or >= System.Net.HttpStatusCode.InternalServerError)
        {
            throw new TransientDeliveryException($"SSM unavailable reading {parameterName}: {e.ErrorCode}");
        }
    }
}
