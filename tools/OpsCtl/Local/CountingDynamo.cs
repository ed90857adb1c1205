using Amazon.Runtime;

namespace OpsCtl.Local;

/// <summary>Counts DynamoDB requests by operation (X-Amz-Target), so requests per event are measured, not estimated.</summary>
public sealed class CountingDynamoHandler
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public long Total => _counts.Values.Sum();

    public IReadOnlyDictionary<string, long> ByOperation => new Dictionary<string, long>(_counts);

    internal void Count(string operation) => _counts.AddOrUpdate(operation, 1, (_, n) => n + 1);

    public void Reset() => _counts.Clear();
}

/// <summary>Gives the AWS SDK an HttpClient whose handler counts each request.</summary>
internal sealed class CountingHttpClientFactory(CountingDynamoHandler counter) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new Handler(counter) { InnerHandler = new SocketsHttpHandler() });

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    private sealed class Handler(CountingDynamoHandler counter) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var v) ? v.First() : "unknown";
            counter.Count(target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..]);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
