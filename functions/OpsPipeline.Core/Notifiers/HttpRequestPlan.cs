using System.Text;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Notifiers;

/// <summary>
/// How Deliver sends one delivery: a POST of <see cref="Body"/> as application/json to <see cref="Url"/>, or, when
/// <see cref="Problem"/> is set, not at all (a permanent failure: retrying cannot fix the target).
/// </summary>
public sealed record HttpRequestPlan(Uri? Url, string Body, string? Problem)
{
    /// <summary>A request that cannot be made; the reason names no secret.</summary>
    public static HttpRequestPlan Refused(string problem) => new(null, string.Empty, problem);

    /// <summary>The rendered body posted as it is to the URL the secret holds (Slack, Teams, generic webhooks).</summary>
    public static HttpRequestPlan ToSecretUrl(Delivery delivery, string secret)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (!Uri.TryCreate(secret, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return Refused($"parameter {delivery.Target.Parameter} does not hold an http(s) URL");
        }

        return new HttpRequestPlan(url, Encoding.UTF8.GetString(delivery.PayloadUtf8.Span), null);
    }
}
