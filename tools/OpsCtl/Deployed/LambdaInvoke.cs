using System.Text;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime.Signing;

namespace OpsCtl.Deployed;

/// <summary>
/// The Lambda Invoke API (POST /2015-03-31/functions/{arn}/invocations), signed with SigV4 by AWSSDK.Core's
/// handler: opsctl needs only lambda:InvokeFunction on the one function, and no Lambda SDK package.
/// AWS_ENDPOINT_URL_LAMBDA (else AWS_ENDPOINT_URL) replaces the regional endpoint, as for the SDK's own clients.
/// </summary>
public static class LambdaInvoke
{
    /// <summary>The function's answer; a Lambda error (denied, not found) or a function error is one line and exit 1.</summary>
    public static async Task<string> InvokeAsync(AwsSession session, RegionEndpoint region, string functionArn, string payload, CancellationToken ct)
    {
        var endpoint = session.ServiceUrl
            ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_LAMBDA")
            ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL")
            ?? $"https://lambda.{region.SystemName}.{region.PartitionDnsSuffix ?? "amazonaws.com"}";
        using var signer = new SigV4SigningHandler(session.SigningCredentials(), region, "lambda", new SocketsHttpHandler());
        using var http = new HttpClient(signer) { Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{endpoint.TrimEnd('/')}/2015-03-31/functions/{functionArn}/invocations"))
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Amz-Invocation-Type", "RequestResponse");
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            // As the SDK reads Lambda's errors: the type from x-amzn-ErrorType (before any ':'), the message from the body.
            var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.First().Split(':')[0] : $"HTTP {(int)response.StatusCode}";
            throw new CommandFailedException(ExitCodes.RunFailed, $"AWS {type}: {MessageOf(body) ?? body.ReplaceLineEndings(" ")}");
        }

        if (response.Headers.Contains("X-Amz-Function-Error"))
        {
            var error = TryParse(body);
            throw new CommandFailedException(ExitCodes.RunFailed, $"{functionArn} failed: {(string?)error?["errorType"] ?? "error"}: {(string?)error?["errorMessage"] ?? body}");
        }

        return body;
    }

    private static string? MessageOf(string body) => TryParse(body) is { } node ? (string?)node["message"] ?? (string?)node["Message"] : null;

    private static JsonNode? TryParse(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
