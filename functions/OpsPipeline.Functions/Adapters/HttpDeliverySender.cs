using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// Sends Slack, PagerDuty and webhook deliveries over HTTP and classifies failures as transient or permanent
/// (after Alertmanager's "recoverable"). Secrets are resolved here, at send time, and never appear in errors.
/// </summary>
public sealed class HttpDeliverySender(HttpClient http, ISecretStore secrets, Uri pagerDutyEventsUrl, TimeSpan attemptTimeout) : IDeliverySender
{
    /// <summary>Carries the delivery on the request (not on the wire) so a local recorder can see what was sent.</summary>
    public static readonly HttpRequestOptionsKey<Delivery> DeliveryOption = new("ops.delivery");

    // The renderers size bodies for UTF-8 as written; the default encoder would turn every non-ASCII
    // character into \uXXXX and could push a body past the receiver's limit.
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<int> SendAsync(Delivery delivery, CancellationToken ct)
    {
        var (url, body) = await BuildRequestAsync(delivery, ct).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Options.Set(DeliveryOption, delivery);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(attemptTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TransientDeliveryException($"{delivery.Channel} receiver {delivery.Receiver}: no response within {attemptTimeout.TotalSeconds:0.#}s");
        }
        catch (HttpRequestException e)
        {
            // The exception text can contain the URL (a secret for Slack): report only the error kind.
            throw new TransientDeliveryException($"{delivery.Channel} receiver {delivery.Receiver}: connection failed ({e.HttpRequestError})");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return status;
            }

            var detail = await ReadDetailAsync(response, ct).ConfigureAwait(false);
            var what = $"{delivery.Channel} receiver {delivery.Receiver}: HTTP {status}{detail}";
            if (response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || status >= 500)
            {
                throw new TransientDeliveryException(what, RetryAfter(response));
            }

            throw new PermanentDeliveryException(what);
        }
    }

    private async Task<(Uri Url, string Body)> BuildRequestAsync(Delivery delivery, CancellationToken ct)
    {
        var parameter = delivery.Target.Parameter
            ?? throw new PermanentDeliveryException($"{delivery.Channel} delivery to {delivery.Receiver} has no target.parameter");
        var secret = await secrets.GetAsync(parameter, ct).ConfigureAwait(false);
        switch (delivery.Channel)
        {
            case "pagerduty":
                // The routing key joins the body only here, so it never travels through the state machine.
                var node = JsonNode.Parse(delivery.PayloadUtf8.Span)?.AsObject()
                    ?? throw new PermanentDeliveryException("pagerduty payload is not a JSON object");
                var withKey = new JsonObject { ["routing_key"] = secret };
                foreach (var (name, value) in node.ToList())
                {
                    node.Remove(name);
                    withKey[name] = value;
                }

                return (pagerDutyEventsUrl, withKey.ToJsonString(RelaxedJson));
            case "slack":
            case "webhook":
                if (!Uri.TryCreate(secret, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
                {
                    throw new PermanentDeliveryException($"parameter {parameter} does not hold an http(s) URL");
                }

                return (url, System.Text.Encoding.UTF8.GetString(delivery.PayloadUtf8.Span));
            default:
                throw new PermanentDeliveryException($"channel {delivery.Channel} is not delivered over HTTP");
        }
    }

    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        // Receivers explain rejections briefly (Slack: "invalid_payload", PagerDuty: {"message":...}); keep it short.
        text = text.ReplaceLineEndings(" ");
        return ": " + (text.Length > 200 ? text[..200] : text);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }
}
