using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.ErrorBudgets;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers;

/// <summary>
/// One notification channel and everything only it knows: the keys of its receiver block, the body of every kind of
/// delivery, how a delivery becomes an HTTP request, which failures are worth retrying, and its flood-guard cap.
/// Registered by <see cref="Name"/> in <see cref="NotifierRegistry"/>; the rest of the pipeline asks it, never the name.
/// </summary>
public abstract class Notifier : IChannelSettingsReader
{
    /// <summary>The receiver's config key and <see cref="Delivery.Channel"/> (slack, pagerduty, …).</summary>
    public abstract string Name { get; }

    /// <summary>The keys its receiver block may have, in the order an unknown-key error lists them.</summary>
    public abstract IReadOnlyList<string> SettingKeys { get; }

    /// <summary>The flood guard's per-receiver cap a minute when defaults.floodGuard.receiverPerMinute names none.</summary>
    public virtual int DefaultReceiverPerMinute => 60;

    /// <summary>
    /// Whether a group of alerts goes out as one event per alert instead of one digest (PagerDuty: each resolve must
    /// close its own dedup_key, and it groups incidents itself).
    /// </summary>
    public virtual bool OneEventPerAlert => false;

    /// <summary>Whether Deliver sends it over HTTP; false for channels the state machine sends natively (SNS).</summary>
    public virtual bool SentOverHttp => true;

    /// <summary>
    /// The body field the secret joins at send time when the secret is a key and the URL is the channel's fixed API
    /// (PagerDuty's routing_key); null when the secret is the URL itself.
    /// </summary>
    public virtual string? SecretBodyField => null;

    /// <summary>The status the real service answers to a good request (the local receivers answer the same).</summary>
    public virtual int AcceptedStatus => 200;

    /// <summary>The body the real service answers to a good request, or null for none.</summary>
    public virtual string? AcceptedBody => null;

    /// <summary>Reads the receiver block (its keys are <see cref="SettingKeys"/>); errors go to the block, with positions.</summary>
    public abstract ReceiverSettings ReadSettings(ChannelBlock block);

    /// <summary>The body (and SNS subject) for one alert; <paramref name="delivery"/> has everything else set.</summary>
    internal abstract Delivery RenderAlert(Delivery delivery, Alert alert, string action, AlertPresentation presentation, bool drill);

    /// <summary>The body for a group of alerts.</summary>
    internal abstract Delivery RenderDigest(Delivery delivery, AlertDigest digest, bool drill);

    /// <summary>The body for an error-budget notice whose sentence is <paramref name="text"/>.</summary>
    internal abstract Delivery RenderBudget(Delivery delivery, BudgetNotice notice, string text, bool drill);

    /// <summary>The body for the flood guard's summary whose sentence is <paramref name="text"/>.</summary>
    internal abstract Delivery RenderFlood(Delivery delivery, FloodCounts held, string text);

    /// <summary>The body telling how an automatic reaction ended, whose sentence is <paramref name="text"/>; it never pages.</summary>
    internal abstract Delivery RenderReactionOutcome(Delivery delivery, ReactionRunRecord run, ReactionOutcome outcome, string text);

    /// <summary>
    /// The deliveries of one `opsctl notify test` whose sentence is <paramref name="text"/> (it starts with [TEST]): one
    /// message, or, where a message opens something that stays open (a PagerDuty incident), that and its close.
    /// </summary>
    internal abstract IReadOnlyList<Delivery> RenderTest(Delivery delivery, string text);

    /// <summary>
    /// The HTTP request for a rendered delivery, given its resolved secret and the fixed API URL of channels whose
    /// secret is a key (<see cref="SecretBodyField"/>); null for channels not sent over HTTP.
    /// </summary>
    public virtual HttpRequestPlan? BuildRequest(Delivery delivery, string secret, Uri keyedApiUrl)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return SentOverHttp ? HttpRequestPlan.ToSecretUrl(delivery, secret) : null;
    }

    /// <summary>
    /// Whether an HTTP failure status is worth retrying (after Alertmanager's "recoverable"): timeouts, throttling
    /// and server errors are; any other rejection would fail again the same way.
    /// </summary>
    public virtual bool IsRetryable(int status) => status is 408 or 429 || status >= 500;
}

/// <summary>What the flood guard held for one receiver, by reason.</summary>
public readonly record struct FloodCounts(long ForAlert, long ForReceiver)
{
    public long Total => ForAlert + ForReceiver;
}
