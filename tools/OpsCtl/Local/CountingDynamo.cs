using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using OpsPipeline.Functions.Adapters;

namespace OpsCtl.Local;

/// <summary>
/// Counts DynamoDB requests by operation (X-Amz-Target), and the capacity units the local DynamoDB reports for them
/// (it sizes items by DynamoDB's rules), so requests and units per event are measured, not estimated.
/// </summary>
public sealed class CountingDynamoHandler
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private long _readMilliUnits;
    private long _writeMilliUnits;
    private long _indexWriteMilliUnits;

    public long Total => _counts.Values.Sum();

    public IReadOnlyDictionary<string, long> ByOperation => new Dictionary<string, long>(_counts);

    /// <summary>Read capacity units consumed (consistent reads: one per 4 KB of item).</summary>
    public double ReadUnits => Interlocked.Read(ref _readMilliUnits) / 1000.0;

    /// <summary>Write capacity units consumed on the table (one per 1 KB of item).</summary>
    public double WriteUnits => Interlocked.Read(ref _writeMilliUnits) / 1000.0;

    /// <summary>
    /// Write units of the "due" index, which the local DynamoDB does not report, by DynamoDB's rules: a put that
    /// adds an item to the index writes its projection, one that removes it deletes it, one that changes the
    /// index key does both, and one that leaves the key alone rewrites it (units: projected size per 1 KB).
    /// </summary>
    public double IndexWriteUnits => Interlocked.Read(ref _indexWriteMilliUnits) / 1000.0;

    /// <summary>The due index's key attributes.</summary>
    private static readonly string[] IndexKeys = [TableSchema.DueShard, TableSchema.DueAt];

    /// <summary>What a KEYS_ONLY index item holds: the table's keys and its own.</summary>
    private static readonly string[] ProjectedAttributes = [TableSchema.PartitionKey, TableSchema.SortKey, .. IndexKeys];

    /// <summary>Whether the index projects whole items (ALL) rather than keys only (<see cref="LocalStack.DueProjection"/>).</summary>
    private static bool ProjectsAll => LocalStack.DueProjection == Amazon.DynamoDBv2.ProjectionType.ALL;

    /// <summary>The requests of the Lambda invocation this async flow belongs to (set by the local Invoke API host).</summary>
    public static readonly AsyncLocal<StrongBox<int>?> CurrentInvocation = new();

    internal void Count(string operation)
    {
        _counts.AddOrUpdate(operation, 1, (_, n) => n + 1);
        if (CurrentInvocation.Value is { } invocation)
        {
            Interlocked.Increment(ref invocation.Value);
        }
    }

    internal void AddUnits(bool read, double units) =>
        Interlocked.Add(ref read ? ref _readMilliUnits : ref _writeMilliUnits, (long)Math.Round(units * 1000));

    /// <summary>Index write units for one put, from the old and the new item (DynamoDB JSON).</summary>
    internal void AddIndexWrite(JsonNode? oldItem, JsonNode? newItem)
    {
        static bool InIndex(JsonNode? item) => item is not null && IndexKeys.All(k => item[k] is not null);
        int Units(JsonNode item) => Math.Max(1, (int)Math.Ceiling(
            (ProjectsAll ? item.AsObject().Select(a => a.Key) : ProjectedAttributes).Sum(a => item[a] is { } v ? System.Text.Encoding.UTF8.GetByteCount(a) + ValueSize(v) : 0) / 1024.0));
        var units = (InIndex(oldItem), InIndex(newItem)) switch
        {
            (false, true) => Units(newItem!),
            (true, false) => Units(oldItem!),
            (true, true) when IndexKeys.All(k => oldItem![k]!.ToJsonString() == newItem![k]!.ToJsonString()) => Units(newItem!),
            (true, true) => Units(oldItem!) + Units(newItem!),
            _ => 0,
        };
        Interlocked.Add(ref _indexWriteMilliUnits, units * 1000L);
    }

    /// <summary>Size of one attribute value by DynamoDB's rules (strings and binaries by bytes, numbers roughly by digits).</summary>
    private static int ValueSize(JsonNode value)
    {
        var (type, v) = value.AsObject().First();
        return type switch
        {
            "S" => System.Text.Encoding.UTF8.GetByteCount((string)v!),
            "N" => (((string)v!).Length / 2) + 1,
            "B" => Convert.FromBase64String((string)v!).Length,
            "BOOL" or "NULL" => 1,
            "L" => 3 + v!.AsArray().Sum(e => 1 + ValueSize(e!)),
            "M" => 3 + v!.AsObject().Sum(e => 1 + System.Text.Encoding.UTF8.GetByteCount(e.Key) + ValueSize(e.Value!)),
            _ => 0,
        };
    }

    public void Reset()
    {
        _counts.Clear();
        Interlocked.Exchange(ref _readMilliUnits, 0);
        Interlocked.Exchange(ref _writeMilliUnits, 0);
        Interlocked.Exchange(ref _indexWriteMilliUnits, 0);
    }
}

/// <summary>Gives the AWS SDK an HttpClient whose handler counts each request.</summary>
internal sealed class CountingHttpClientFactory(CountingDynamoHandler counter, double throttleRate = 0, int seed = 0, Func<string, WriteFault?>? failWrite = null) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new Handler(counter, throttleRate, new Random(seed), failWrite) { InnerHandler = new SocketsHttpHandler() });

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    /// <summary>Counts each request; with a throttle rate, answers that share as DynamoDB does when throttling (fault injection).</summary>
    private sealed class Handler(CountingDynamoHandler counter, double throttleRate, Random random, Func<string, WriteFault?>? failWrite) : DelegatingHandler
    {
        private static readonly HashSet<string> Reads = new(StringComparer.Ordinal) { "GetItem", "BatchGetItem", "Query", "Scan" };
        private static readonly HashSet<string> Writes = new(StringComparer.Ordinal) { "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem" };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var v) ? v.First() : "unknown";
            var operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            counter.Count(operation);
            bool throttle;
            lock (random)
            {
                throttle = throttleRate > 0 && operation != "CreateTable" && operation != "DescribeTable" && operation != "ListTables" && random.NextDouble() < throttleRate;
            }

            if (failWrite is not null && Writes.Contains(operation) && failWrite(operation) is { } fault)
            {
                counter.Count("Failed");
                return new HttpResponseMessage(fault == WriteFault.Transient ? System.Net.HttpStatusCode.InternalServerError : System.Net.HttpStatusCode.BadRequest)
                {
                    Content = new StringContent(
                        fault == WriteFault.Transient
                            ? "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"injected write failure\"}"
                            : "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\",\"message\":\"injected write failure\"}",
                        System.Text.Encoding.UTF8,
                        "application/x-amz-json-1.0"),
                };
            }

            if (throttle)
            {
                counter.Count("Throttled");
                return new HttpResponseMessage(System.Net.HttpStatusCode.BadRequest)
                {
                    Content = new StringContent("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"injected throttle\"}", System.Text.Encoding.UTF8, "application/x-amz-json-1.0"),
                };
            }

            var read = Reads.Contains(operation);
            if (!read && !Writes.Contains(operation) || request.Content is null)
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            // Ask for the consumed capacity (the local DynamoDB checks no signatures, so the body may change).
            var body = JsonNode.Parse(await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false))!.AsObject();
            body["ReturnConsumedCapacity"] ??= "TOTAL";
            var putsItem = operation == "PutItem" && body["ReturnValues"] is null;
            if (putsItem)
            {
                body["ReturnValues"] = "ALL_OLD"; // to see what the put did to the index
            }

            var newItem = body["Item"];
            var contentType = request.Content.Headers.ContentType;
            request.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()));
            request.Content.Headers.ContentType = contentType;
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
                var answer = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
                if (putsItem)
                {
                    counter.AddIndexWrite(answer?["Attributes"], newItem);
                }

                if (putsItem && answer is JsonObject withOld && withOld.Remove("Attributes"))
                {
                    // The caller did not ask for the old item: answer exactly what it asked for.
                    var contentHeaders = response.Content.Headers.ContentType;
                    response.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(withOld.ToJsonString()));
                    response.Content.Headers.ContentType = contentHeaders;
                    response.Headers.Remove("x-amz-crc32"); // the checksum was of the longer body
                }

                var consumed = answer?["ConsumedCapacity"];
                var units = consumed switch
                {
                    JsonArray tables => tables.Sum(t => (double?)t?["CapacityUnits"] ?? 0),
                    JsonObject one => (double?)one["CapacityUnits"] ?? 0,
                    _ => 0,
                };
                counter.AddUnits(read, units);
            }

            return response;
        }
    }
}
