using System.Text;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Notifiers;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// Sends the deliveries of every HTTP channel: the channel's notifier builds the request and says which failures are
/// transient (after Alertmanager's "recoverable"). Secrets are resolved here, at send time, and never appear in errors.
/// <paramref name="pagerDutyEventsUrl"/> is the fixed API URL of channels whose secret is a key, not a URL.
/// </summary>
public sealed class HttpDeliverySender(HttpClient http, ISecretStore secrets, Uri pagerDutyEventsUrl, TimeSpan attemptTimeout) : IDeliverySender
{
    /// <summary>Carries the delivery on the request (not on the wire) so a local recorder can see what was sent.</summary>
    public static readonly HttpRequestOptionsKey<Delivery> DeliveryOption = new("ops.delivery");

    public async Task<int> SendAsync(Delivery delivery, CancellationToken ct) =>
        (await ExchangeAsync(delivery, answer: false, ct).ConfigureAwait(false)).Status;

    /// <summary>
    /// Sends once and returns what the receiver answered, whatever its status (`opsctl notify test`): the status and
    /// the body, on one line, cut to 200 characters, with the secret masked should a receiver echo it. Only a
    /// connection that fails or times out is an error (transient, as for <see cref="SendAsync"/>).
    /// </summary>
    public Task<ReceiverReply> AnswerAsync(Delivery delivery, CancellationToken ct) => ExchangeAsync(delivery, answer: true, ct);

    private async Task<ReceiverReply> ExchangeAsync(Delivery delivery, bool answer, CancellationToken ct)
    {
        var (url, body, secret) = await BuildRequestAsync(delivery, ct).ConfigureAwait(false);
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
            if (answer)
            {
                // Masked before it is cut, so no part of an echoed secret survives the cut.
                var text = (await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)).Replace(secret, "***", StringComparison.Ordinal).ReplaceLineEndings(" ").Trim();
                return new ReceiverReply(status, text.Length > 200 ? text[..200] : text);
            }

            if (response.IsSuccessStatusCode)
            {
                return new ReceiverReply(status, string.Empty);
            }

            var detail = await ReadDetailAsync(response, ct).ConfigureAwait(false);
            var what = $"{delivery.Channel} receiver {delivery.Receiver}: HTTP {status}{detail}";
            if (NotifierRegistry.Find(delivery.Channel)?.IsRetryable(status) ?? status >= 500)
            {
                throw new TransientDeliveryException(what, RetryAfter(response));
            }

            throw new PermanentDeliveryException(what);
        }
    }

    private async Task<(Uri Url, string Body, string Secret)> BuildRequestAsync(Delivery delivery, CancellationToken ct)
    {
        var parameter = delivery.Target.Parameter
            ?? throw new PermanentDeliveryException($"{delivery.Channel} delivery to {delivery.Receiver} has no target.parameter");
        var secret = await secrets.GetAsync(parameter, ct).ConfigureAwait(false);
        var plan = NotifierRegistry.Find(delivery.Channel)?.BuildRequest(delivery, secret, pagerDutyEventsUrl)
            ?? throw new PermanentDeliveryException($"channel {delivery.Channel} is not delivered over HTTP");
        return plan is { Url: { } url, Problem: null } ? (url, plan.Body, secret) : throw new PermanentDeliveryException(plan.Problem ?? "no URL");
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

/// <summary>What a receiver answered one request: its HTTP status and its body (one line, short, secret masked).</summary>
public sealed record ReceiverReply(int Status, string Body);
