using OpsPipeline.Core.Alerts;

namespace OpsPipeline.Core.Decisions;

/// <summary>What mutes an alert.</summary>
public enum SuppressionKind
{
    /// <summary>An operator's silence; <see cref="Suppression.Id"/> is its id.</summary>
    Silence,

    /// <summary>An inhibit rule whose source fires; <see cref="Suppression.Id"/> is the source's alert key.</summary>
    Inhibition,

    /// <summary>A route's time interval: <see cref="Suppression.Id"/> is the interval's name, <see cref="Suppression.Until"/> when the mute ends.</summary>
    TimeInterval,

    /// <summary>A CloudWatch alarm mute rule; <see cref="Suppression.Id"/> is the rule's ARN, until its window ends.</summary>
    MuteRule,

    /// <summary>A composite alarm's actions suppressed by its suppressor; <see cref="Suppression.Id"/> is the suppressor alarm.</summary>
    ActionsSuppressed,
}

/// <summary>
/// Why a firing alert is not sent: what mutes it, and until when it is muted (a silence's end; for an inhibition, when
/// it is next checked). <see cref="Detail"/> is what an operator needs to recognise it (the silence's matchers and
/// comment, the source's name). Reasons are rendered from this, never parsed back.
/// </summary>
public sealed record Suppression(SuppressionKind Kind, string Id, DateTimeOffset Until, string Detail)
{
    /// <summary>`silenced by sil-1 ({…} until … by alice: INC-42)`, `inhibited by checkout-capability`, `muted by time interval out-of-hours until …`, `muted by CloudWatch mute rule arn:… until …`.</summary>
    public string What => Kind switch
    {
        SuppressionKind.Silence => $"silenced by {Id} ({Detail})",
        SuppressionKind.TimeInterval => $"{Detail} until {DecisionText.Format(Until)}",
        SuppressionKind.MuteRule => $"muted by CloudWatch mute rule {Id} until {DecisionText.Format(Until)}",
        SuppressionKind.ActionsSuppressed => $"actions suppressed by {Id} ({Detail})",
        _ => $"inhibited by {Detail}",
    };

    /// <summary>The decision's reason: `suppressed: ` and what mutes it.</summary>
    public string Reason => $"suppressed: {What}";

    /// <summary>The same silence or the same source, whenever it is next checked.</summary>
    public bool SameCause(Suppression? other) => other is not null && other.Kind == Kind && other.Id == Id && other.Detail == Detail;
}

/// <summary>
/// One way an alert can be muted (Alertmanager's Muter): silences, inhibition, and next time intervals and
/// CloudWatch's own mute rules. The muting stage asks each in turn; the first that mutes wins.
/// </summary>
public interface IMuter
{
    Suppression? Mutes(Alert alert, DecisionContext context, DateTimeOffset now);
}
