using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OpsPipeline.Integration.Tests;

/// <summary>One request the fake AWS endpoint received.</summary>
internal sealed record AwsRequest(string Method, string Path, string? Target, string Authorization, string Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The SigV4 credential scope: "KEY/date/region/service/aws4_request" → (key, region, service).</summary>
    public (string Key, string Region, string Service) Scope
    {
        get
        {
            var at = Authorization.IndexOf("Credential=", StringComparison.Ordinal);
            var parts = at < 0 ? [] : Authorization[(at + "Credential=".Length)..].Split(',')[0].Split('/');
            return parts.Length == 5 ? (parts[0], parts[2], parts[3]) : (string.Empty, string.Empty, string.Empty);
        }
    }
}

/// <summary>
/// A tiny AWS endpoint on 127.0.0.1 for out-of-process opsctl runs (AWS_ENDPOINT_URL): the JSON protocol for SSM
/// GetParametersByPath, SQS ReceiveMessage and DynamoDB Query, SSO GetRoleCredentials, and the Lambda Invoke API,
/// answering from what the test sets and recording every request.
/// </summary>
internal sealed class FakeAwsEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<AwsRequest> _requests = new();
    private readonly Task _loop;

    public FakeAwsEndpoint()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    /// <summary>SSM parameters by full name (String type).</summary>
    public Dictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);

    /// <summary>Bodies the first ReceiveMessage returns.</summary>
    public List<string> QueueMessages { get; } = [];

    /// <summary>What the Lambda Invoke API answers: status, x-amzn-ErrorType (or null) and body.</summary>
    public (int Status, string? ErrorType, string Body) Invoke { get; set; } = (200, null, "{}");

    public IReadOnlyList<AwsRequest> Requests => [.. _requests];

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await AnswerAsync(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // the client went away
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.InputStream, Encoding.UTF8).ReadToEndAsync();
        var headers = request.Headers.AllKeys.OfType<string>().ToDictionary(k => k.ToLowerInvariant(), k => request.Headers[k] ?? string.Empty, StringComparer.Ordinal);
        var target = headers.GetValueOrDefault("x-amz-target");
        var path = request.Url!.AbsolutePath + request.Url.Query;
        _requests.Enqueue(new AwsRequest(request.HttpMethod, Uri.UnescapeDataString(path), target, headers.GetValueOrDefault("authorization") ?? string.Empty, body, headers));
        var (status, errorType, answer) = (target, request.HttpMethod) switch
        {
            (_, "GET") when path.StartsWith("/federation/credentials", StringComparison.Ordinal) =>
                (200, null, """{"roleCredentials":{"accessKeyId":"ASIASSOTEST","secretAccessKey":"sso-secret","sessionToken":"sso-session","expiration":4102444800000}}"""),
            ("AmazonSSM.GetParametersByPath", _) => (200, (string?)null, ParametersUnder((string?)JsonNode.Parse(body)?["Path"] ?? string.Empty)),
            ("AmazonSQS.ReceiveMessage", _) => (200, null, TakeMessages()),
            ("DynamoDB_20120810.Query" or "DynamoDB_20120810.Scan", _) => (200, null, """{"Count":0,"Items":[],"ScannedCount":0}"""),
            (null, "POST") when path.StartsWith("/2015-03-31/functions/", StringComparison.Ordinal) => Invoke,
            _ => (400, "UnknownOperationException", """{"message":"not served by the fake"}"""),
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        if (errorType is not null)
        {
            context.Response.Headers["x-amzn-ErrorType"] = errorType;
        }

        var bytes = Encoding.UTF8.GetBytes(answer);
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private string ParametersUnder(string path)
    {
        var prefix = path.TrimEnd('/') + "/";
        var found = new JsonArray();
        foreach (var (name, value) in Parameters.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            found.Add(new JsonObject { ["Name"] = name, ["Type"] = "String", ["Value"] = value, ["Version"] = 1 });
        }

        return new JsonObject { ["Parameters"] = found }.ToJsonString();
    }

    private string TakeMessages()
    {
        var messages = new JsonArray();
        lock (QueueMessages)
        {
            foreach (var (body, i) in QueueMessages.Select((b, i) => (b, i)))
            {
                messages.Add(new JsonObject { ["MessageId"] = $"m{i}", ["ReceiptHandle"] = $"r{i}", ["Body"] = body, ["MD5OfBody"] = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(body))) });
            }

            QueueMessages.Clear();
        }

        return new JsonObject { ["Messages"] = messages }.ToJsonString();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
