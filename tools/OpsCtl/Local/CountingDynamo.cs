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
internal sealed class CountingHttpClientFactory(CountingDynamoHandler counter, double throttleRate = 0, int seed = 0) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new Handler(counter, throttleRate, new Random(seed)) { InnerHandler = new SocketsHttpHandler() });

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    /// <summary>Counts each request; with a throttle rate, answers that share as DynamoDB does when throttling (fault injection).</summary>
    private sealed class Handler(CountingDynamoHandler counter, double throttleRate, Random random) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var v) ? v.First() : "unknown";
            var operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            counter.Count(operation);
            bool throttle;
            lock (random)
            {
                throttle = throttleRate > 0 && operation != "CreateTable" && operation != "DescribeTable" && operation != "ListTables" && random.NextDouble() < throttleRate;
            }

            if (throttle)
            {
                counter.Count("Throttled");
                return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.BadRequest)
                {
                    Content = new StringContent("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"injected throttle\"}", System.Text.Encoding.UTF8, "application/x-amz-json-1.0"),
                });
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
