namespace OpsPipeline.Core.Decisions;

/// <summary>
/// A group is one route's alerts with the same groupBy labels. As Alertmanager's group timer, its updates fall on one
/// grid: every groupInterval from its first notification, while any member is told firing.
/// </summary>
public static class GroupNotices
{
    /// <summary>The group's id: its route and group key.</summary>
    public static string Id(string routeId, string groupKey) => routeId + "\n" + groupKey;

    /// <summary>
    /// Where a group's grid starts when an update sent at <paramref name="sent"/> is its first: that minute. The Tick runs
    /// once a minute, at whatever second: slots on whole minutes are due at the tick of their minute, never one later.
    /// </summary>
    public static DateTimeOffset GridStart(DateTimeOffset sent) => new(sent.UtcTicks - (sent.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    /// <summary>The group's next update at or after <paramref name="earliest"/>: the first of anchor + k × groupInterval.</summary>
    public static DateTimeOffset NextSlot(DateTimeOffset anchor, TimeSpan groupInterval, DateTimeOffset earliest)
    {
        var ticks = groupInterval.Ticks;
        var since = Math.Max(0, earliest.UtcTicks - anchor.UtcTicks);
        return anchor.AddTicks((since + ticks - 1) / ticks * ticks);
    }

    /// <summary>
    /// A slot at or after <paramref name="earliest"/> shared by every group: multiples of the group interval since the Unix
    /// epoch. Repeats use it (the Tick does not read groups' grids), and so does a resolve in a group with no grid on
    /// record (one written before grids were kept).
    /// </summary>
    public static DateTimeOffset UpdateSlot(DateTimeOffset earliest, TimeSpan groupInterval) => NextSlot(DateTimeOffset.UnixEpoch, groupInterval, earliest);
}

/// <summary>What the table remembers of one group: when it was last notified, and where its grid starts while its episode lasts.</summary>
/// <param name="NotifiedAt">When its last update went out (null: none on record).</param>
/// <param name="Anchor">The start of its update grid; null when no member is told firing (a new episode starts a new grid).</param>
public sealed record GroupNotice(DateTimeOffset? NotifiedAt, DateTimeOffset? Anchor);

/// <summary>
/// What one tick, at <paramref name="At"/>, changed of one group, for its record: whether it sent the group an update,
/// and the members it told firing or told resolved. The record keeps the members told firing; when none remain, the
/// group's grid ends with its episode.
/// </summary>
public sealed record GroupUpdate(string GroupId, DateTimeOffset At, bool Sent, IReadOnlyList<string> Told, IReadOnlyList<string> Untold)
{
    /// <summary>Where the group's grid starts if it has none: an update that told members firing is its first notification.</summary>
    public DateTimeOffset? GridStart => Sent && Told.Count > 0 ? GroupNotices.GridStart(At) : null;
}
