using OpsPipeline.Core.Alerts;

namespace OpsPipeline.Core.Decisions;

/// <summary>
/// What the pipeline remembers of one alert between events: the newest transition it has seen,
/// what it last notified, and why. Stored as one DynamoDB item, written with one conditional write.
/// </summary>
public sealed record AlertState
{
    /// <summary>How many recent event ids are kept for idempotency (EventBridge redelivers within minutes).</summary>
    public const int RememberedEventIds = 32;

    public required string Key { get; init; }

    /// <summary>Newest raw state seen (ALARM, OK, INSUFFICIENT_DATA), by the alarm's own timestamp.</summary>
    public required AlarmState State { get; init; }

    public required DateTimeOffset StateTimestamp { get; init; }

    /// <summary>The last status a notification was sent for (Firing or Resolved), or null if never notified.</summary>
    public AlertStatus? NotifiedStatus { get; init; }

    /// <summary>Ids of recently applied events, newest last; a redelivered id is a duplicate.</summary>
    public IReadOnlyList<string> RecentEventIds { get; init; } = [];

    /// <summary>Last decision (notify, duplicate, stale, unchanged, …) and its reason, for `--explain` and operators.</summary>
    public required string LastDecision { get; init; }

    public required string LastReason { get; init; }

    /// <summary>The newest alert as normalized (JSON), so time-based work can re-render it without the event.</summary>
    public string? AlertJson { get; init; }

    /// <summary>Optimistic-concurrency version: each write requires the version it read.</summary>
    public long Version { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Times of state changes inside the flapping window, oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> Changes { get; init; } = [];

    /// <summary>The last firing/resolved status seen (INSUFFICIENT_DATA leaves it as it was): what a flapping change is measured against.</summary>
    public AlertStatus? LastKnownStatus { get; init; }

    /// <summary>Flapping: one notice was sent; quiet until stable for a window.</summary>
    public bool Flapping { get; init; }

    /// <summary>When a trigger, repeat or digest for this alert last went out (repeat is measured from here).</summary>
    public DateTimeOffset? LastNotifiedAt { get; init; }

    /// <summary>When this alert sent its notifications within the last hour, newest last (the flood guard's window).</summary>
    public IReadOnlyList<DateTimeOffset> RecentSends { get; init; } = [];

    /// <summary>What mutes this firing alert (a silence or an inhibition), and until when; null when it is not muted.</summary>
    public Suppression? Suppressed { get; init; }

    /// <summary>
    /// The receivers told this alert is firing in its current episode, in order (the notification log, as
    /// Alertmanager's nflog): a resolve goes only to them, so no receiver hears RESOLVED for what it never saw.
    /// </summary>
    public IReadOnlyList<string> ToldFiring { get; init; } = [];

    /// <summary>Notifications waiting for their group to flush (one per grouped route).</summary>
    public IReadOnlyList<PendingNotification> Pending { get; init; } = [];

    /// <summary>DLQ alerts: messages counted so far, first and last seen, and how many arrived since the last notice.</summary>
    public DlqTally? Dlq { get; init; }

    /// <summary>The reactions that ran for this alert, newest last, at most <see cref="ReactionRun.Remembered"/>: once per transition, and the cooldown.</summary>
    public IReadOnlyList<ReactionRun> ReactionRuns { get; init; } = [];

    /// <summary>Its last decisions, newest last, at most <see cref="DecisionHistory.Remembered"/> (`opsctl alert explain`).</summary>
    public IReadOnlyList<DecisionRecord> History { get; init; } = [];

    /// <summary>The next time the Tick must look at this alert (group flush, repeat, flapping, suppression); null: never.</summary>
    public DateTimeOffset? DueAt { get; init; }
}

/// <summary>A DLQ alert's running count: one alert per queue group, not one notification per message.</summary>
public sealed record DlqTally(long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long Unreported);

/// <summary>A notification held for a group: it goes out with the group's digest when the first member's wait ends.</summary>
/// <remarks><paramref name="Action"/> is a trigger (the alert joins the group's digest as firing) or a resolve (as resolved).</remarks>
public sealed record PendingNotification(string RouteId, string GroupKey, string Receiver, DateTimeOffset DueAt, string Action = DeliveryActions.Trigger);
