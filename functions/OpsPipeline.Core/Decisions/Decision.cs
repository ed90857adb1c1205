namespace OpsPipeline.Core.Decisions;

/// <summary>Names of the decisions Decide can make about one event; stored and printed with a reason.</summary>
public static class DecisionKinds
{
    /// <summary>Deliveries were produced.</summary>
    public const string Notify = "notify";

    /// <summary>Same event id seen before: nothing changes.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Older than the stored transition (out of order): recorded, never notified.</summary>
    public const string Stale = "stale";

    /// <summary>Recorded; no notification is due (same state, first-seen OK, INSUFFICIENT_DATA, no receiver).</summary>
    public const string Recorded = "recorded";

    /// <summary>Replayed event: drill deliveries only, production state untouched.</summary>
    public const string Drill = "drill";

    /// <summary>Firing but silenced or inhibited: recorded with the reason, re-checked by the Tick.</summary>
    public const string Suppressed = "suppressed";

    /// <summary>Held for its group's digest (groupWait).</summary>
    public const string Grouped = "grouped";

    /// <summary>Flapping and quiet until stable.</summary>
    public const string Flapping = "flapping";
}

/// <summary>The outcome of deciding one event: the state to write (null: write nothing) and what to send.</summary>
public sealed record Decision(string Kind, string Reason, AlertState? NewState, IReadOnlyList<Notification> Notifications)
{
    /// <summary>The steps that led here, in order, for `opsctl local --explain`.</summary>
    public IReadOnlyList<string> Path { get; init; } = [];

    /// <summary>Set when this alert starts or stops firing as an inhibition source.</summary>
    public SourceUpdate? SourceUpdate { get; init; }

    /// <summary>For a drill: what production would have sent (the drill itself sends only to the drill receiver).</summary>
    public IReadOnlyList<Notification> WouldSend { get; init; } = [];

    /// <summary>What the flood guard held back from <see cref="Notifications"/> (its receivers are told how many, once).</summary>
    public IReadOnlyList<Notification> Held { get; init; } = [];

    /// <summary>Reactions the hourly cap across alerts stopped: the alert's notifications say so.</summary>
    public IReadOnlyList<Reaction> CappedReactions { get; init; } = [];

    /// <summary>Resolves handed to the alert's SLO incident: written to the SLO's state before the commit.</summary>
    public IReadOnlyList<IncidentHold> IncidentHolds { get; init; } = [];

    /// <summary>The reactions to start once the state is committed (already recorded in <see cref="NewState"/>).</summary>
    public IReadOnlyList<Reaction> Reactions { get; init; } = [];

    /// <summary>For a drill: the reactions production would have started (a drill starts none).</summary>
    public IReadOnlyList<Reaction> WouldReact { get; init; } = [];
}

/// <summary>What the Tick does for one alert: the state to write, over the version it read, and what depends on that write.</summary>
public sealed record TickChange(AlertState Before, AlertState After, Alerts.Alert Alert, IReadOnlyList<Notification> Notifications)
{
    /// <summary>Resolves handed to the alert's SLO incident: written to the SLO's state before the alert's.</summary>
    public IReadOnlyList<IncidentHold> IncidentHolds { get; init; } = [];
}

/// <summary>A resolve to <paramref name="Receiver"/> handed to the SLO's incident, which the Tick resolves as a whole.</summary>
public sealed record IncidentHold(string Slo, string Receiver);

/// <summary>A firing alert that matches an inhibit rule's sourceMatch.</summary>
public sealed record InhibitionSource(string AlertKey, string Name, IReadOnlyDictionary<string, string> Labels);

/// <summary>An inhibition source started (Firing) or stopped firing.</summary>
/// <remarks><paramref name="At"/> is the alarm's state timestamp: of two updates of one source, the later transition wins, whatever order they are written in.</remarks>
public sealed record SourceUpdate(InhibitionSource Source, bool Firing, DateTimeOffset At);

/// <summary>What a decision needs besides the alert's own state: active silences and firing inhibition sources.</summary>
public sealed record DecisionContext(IReadOnlyList<Silences.Silence> Silences, IReadOnlyList<InhibitionSource> Sources)
{
    public static readonly DecisionContext Empty = new([], []);

    /// <summary>What the table knows of each of the alert's groups (<see cref="GroupNotices.Id"/>) that has a record: its last notice, its grid.</summary>
    public IReadOnlyDictionary<string, GroupNotice> GroupsNotified { get; init; } = new Dictionary<string, GroupNotice>();
}
