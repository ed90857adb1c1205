using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OpsPipeline.Deployment.Tests;

/// <summary>What the fake Lambda answers: a payload, or an unhandled error of the given type (X-Amz-Function-Error).</summary>
internal sealed record LambdaAnswer(JsonNode? Payload, string? ErrorType = null, string? ErrorMessage = null)
{
    public static LambdaAnswer Fails(string errorType, string message) => new(null, errorType, message);
}

/// <summary>
/// A tiny stand-in for the C# local host, on 127.0.0.1: the Lambda Invoke API
/// (POST /2015-03-31/functions/{name}/invocations) and the sink for service-integration tasks
/// (POST /local/tasks/{service}/{action}). Records every request.
/// </summary>
internal sealed class FakeLambdaHost : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<string, JsonNode?, LambdaAnswer> _lambda;
    private readonly Task _loop;

    public FakeLambdaHost(Func<string, JsonNode?, LambdaAnswer> lambda)
    {
        _lambda = lambda;
        (_listener, BaseUrl) = Listen();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    /// <summary>Invocations in arrival order: function name (URL-decoded) and payload.</summary>
    public ConcurrentQueue<(string Function, JsonNode? Payload)> Invocations { get; } = new();

    /// <summary>Service-integration task calls: e.g. ("sns/publish", effective input).</summary>
    public ConcurrentQueue<(string Task, JsonNode? Input)> TaskCalls { get; } = new();

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private static (HttpListener, string) Listen()
    {
        for (var attempt = 0; ; attempt++)
        {
            // HttpListener needs a fixed port: take a free one from the OS, then bind it.
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var baseUrl = $"http://127.0.0.1:{port}";
            var listener = new HttpListener();
            listener.Prefixes.Add(baseUrl + "/");
            try
            {
                listener.Start();
                return (listener, baseUrl);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private async Task ServeAsync()
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

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var json = body.Length == 0 ? null : JsonNode.Parse(body);
        var segments = context.Request.RawUrl!.Split('?')[0].Trim('/').Split('/');
        var response = context.Response;
        if (segments is ["2015-03-31", "functions", var name, "invocations"])
        {
            var function = Uri.UnescapeDataString(name);
            Invocations.Enqueue((function, json));
            var answer = _lambda(function, json);
            if (answer.ErrorType is not null)
            {
                response.AddHeader("X-Amz-Function-Error", "Unhandled");
                await WriteAsync(response, 200, new JsonObject { ["errorType"] = answer.ErrorType, ["errorMessage"] = answer.ErrorMessage });
            }
            else
            {
                await WriteAsync(response, 200, answer.Payload);
            }
        }
        else if (segments is ["local", "tasks", var service, var action])
        {
            TaskCalls.Enqueue(($"{service}/{action}", json));
            await WriteAsync(response, 200, new JsonObject { ["MessageId"] = $"local-{TaskCalls.Count}" });
        }
        else
        {
            await WriteAsync(response, 404, new JsonObject { ["error"] = "NotFound", ["cause"] = context.Request.RawUrl });
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, JsonNode? body)
    {
        var bytes = Encoding.UTF8.GetBytes(body?.ToJsonString() ?? "null");
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }
}
