using System.Security.Cryptography;
using System.Text;

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

    /// <summary>
    /// A member as its group's record keeps it: its alert key hashed (keys are long, groups can be large, and Decide
    /// reads the record with every grouped alert's state).
    /// </summary>
    public static string MemberId(string alertKey) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(alertKey)))[..32];
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
    /// <summary>
    /// The members told firing that the record names from now on (for later updates to list as still firing), when this
    /// tick read the record before its update; null leaves the names as they are.
    /// </summary>
    public IReadOnlyList<FiringMember>? Named { get; init; }

    /// <summary>Where the group's grid starts if it has none: an update that told members firing is its first notification.</summary>
    public DateTimeOffset? GridStart => Sent && Told.Count > 0 ? GroupNotices.GridStart(At) : null;
}

/// <summary>A member told firing as its group's record names it: its <see cref="GroupNotices.MemberId"/>, and its name and severity as shown.</summary>
public sealed record FiringMember(string Id, string Name, string Severity);

/// <summary>
/// What the Tick reads of a group's record before it sends the group an update: the members told firing (their
/// <see cref="GroupNotices.MemberId"/>s), and the few of them it names.
/// </summary>
public sealed record GroupMembers(IReadOnlySet<string> Told, IReadOnlyList<FiringMember> Named)
{
    /// <summary>A group with no record: no member told firing.</summary>
    public static readonly GroupMembers None = new(new HashSet<string>(StringComparer.Ordinal), []);
}

/// <summary>
/// The members of a group told firing in its earlier updates that still fire and are not in this one: the ones the
/// record names, and how many more.
/// </summary>
public sealed record StillFiring(IReadOnlyList<FiringMember> Named, int Unnamed)
{
    /// <summary>Nothing else fires in the group (or its record could not be read).</summary>
    public static readonly StillFiring None = new([], 0);

    public int Count => Named.Count + Unnamed;
}
