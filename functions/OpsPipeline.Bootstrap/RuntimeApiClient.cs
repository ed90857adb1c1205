using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpsPipeline.Bootstrap;

/// <summary>
/// The Lambda Runtime API (version 2018-06-01) at http://$AWS_LAMBDA_RUNTIME_API: next invocation, invocation
/// response, invocation error and init error, as AWS documents them for custom runtimes.
/// </summary>
public sealed class RuntimeApiClient(HttpClient http, string host) : IDisposable
{
    public const string ApiVersion = "2018-06-01";
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private readonly Uri _base = new($"http://{host}/{ApiVersion}/runtime/");

    /// <summary>A client for the host Lambda names in AWS_LAMBDA_RUNTIME_API, with no request timeout (next may wait while the sandbox is frozen).</summary>
    public static RuntimeApiClient ForHost(string host) =>
        new(new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan }, host);

    /// <summary>GET invocation/next: blocks until Lambda has an event.</summary>
    public async Task<NextInvocation> NextAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(_base, "invocation/next"), HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new RuntimeApiException($"invocation/next answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
        }

        var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id") ?? throw new RuntimeApiException("invocation/next: no Lambda-Runtime-Aws-Request-Id");
        var deadlineText = Header(response, "Lambda-Runtime-Deadline-Ms") ?? throw new RuntimeApiException("invocation/next: no Lambda-Runtime-Deadline-Ms");
        if (!long.TryParse(deadlineText, NumberStyles.None, CultureInfo.InvariantCulture, out var deadlineMs))
        {
            throw new RuntimeApiException($"invocation/next: Lambda-Runtime-Deadline-Ms is not Unix milliseconds: {deadlineText}");
        }

        return new NextInvocation(
            requestId,
            DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs),
            Header(response, "Lambda-Runtime-Invoked-Function-Arn"),
            Header(response, "Lambda-Runtime-Trace-Id"),
            await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
    }

    /// <summary>POST invocation/{id}/response.</summary>
    public Task<HttpStatusCode> RespondAsync(string requestId, Stream body, CancellationToken ct)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/response", content, ct);
    }

    /// <summary>POST invocation/{id}/error with {errorType, errorMessage, stackTrace}.</summary>
    public Task<HttpStatusCode> ReportInvocationErrorAsync(string requestId, RuntimeError error, CancellationToken ct) =>
        PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/error", ErrorContent(error), ct);

    /// <summary>POST init/error: the handler could not be set up; Lambda fails the invocation and restarts the environment.</summary>
    public Task<HttpStatusCode> ReportInitErrorAsync(RuntimeError error, CancellationToken ct) => PostAsync("init/error", ErrorContent(error), ct);

    public void Dispose() => http.Dispose();

    private async Task<HttpStatusCode> PostAsync(string path, HttpContent content, CancellationToken ct)
    {
        using (content)
        using (var response = await http.PostAsync(new Uri(_base, path), content, ct).ConfigureAwait(false))
        {
            return response.StatusCode;
        }
    }

    private static ByteArrayContent ErrorContent(RuntimeError error)
    {
        var content = new ByteArrayContent(error.ToJson());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.Add(ErrorTypeHeader, error.ErrorType);
        return content;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>One event from invocation/next, with the headers that describe it.</summary>
public sealed record NextInvocation(string RequestId, DateTimeOffset Deadline, string? InvokedFunctionArn, string? TraceId, byte[] Payload);

/// <summary>The error document Lambda returns to the caller (and Step Functions matches by errorType).</summary>
public sealed record RuntimeError(string ErrorType, string ErrorMessage, IReadOnlyList<string> StackTrace)
{
    /// <summary>An exception as the managed .NET runtime reports it: its type's name (what a Catch's ErrorEquals names), its message, its frames.</summary>
    public static RuntimeError From(Exception exception)
    {
        // Task machinery wraps a single failure: report the failure itself, as the managed runtime does.
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }

        var frames = (exception.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new RuntimeError(exception.GetType().Name, exception.Message, frames);
    }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("errorType", ErrorType);
            json.WriteString("errorMessage", ErrorMessage);
            json.WriteStartArray("stackTrace");
            foreach (var frame in StackTrace)
            {
                json.WriteStringValue(frame);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public override string ToString() => Encoding.UTF8.GetString(ToJson());
}

/// <summary>The Runtime API answered something a runtime cannot go on from.</summary>
public sealed class RuntimeApiException(string message) : Exception(message);
