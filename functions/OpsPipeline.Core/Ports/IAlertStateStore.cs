using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Ports;

/// <summary>
/// Persistence of alert state. The hot path is one read (the alert's state, with the firing inhibition
/// sources in the same batch when the alert is an inhibit target) and one conditional write.
/// </summary>
public interface IAlertStateStore
{
    /// <summary>The alert's state and, if <paramref name="withSources"/>, the firing inhibition sources — one request.</summary>
    Task<(AlertState? State, IReadOnlyList<InhibitionSource> Sources)> GetAsync(string alertKey, bool withSources, CancellationToken ct);

    /// <summary>
    /// Decide's one read: the alert's state, the firing sources if <paramref name="withSources"/>, and the record of each
    /// of <paramref name="groupIds"/> (<see cref="GroupNotices.Id"/>) that has one — one request.
    /// </summary>
    Task<AlertRead> ReadAsync(string alertKey, bool withSources, IReadOnlyList<string> groupIds, CancellationToken ct);

    /// <summary>
    /// Records what a tick changed of these groups, each idempotent: the members told firing (add <see cref="GroupUpdate.Told"/>,
    /// remove <see cref="GroupUpdate.Untold"/>) and, if <see cref="GroupUpdate.Named"/>, the ones it names; the last notice if it sent one (the later time wins); the grid, started at
    /// <see cref="GroupUpdate.GridStart"/> if the group has none, and ended when no member is left told firing.
    /// </summary>
    Task NoteGroupsAsync(IReadOnlyList<GroupUpdate> updates, CancellationToken ct);

    /// <summary>
    /// The Tick's read before it sends groups their updates: for each of <paramref name="groupIds"/> that has a record,
    /// its members told firing and the ones it names (<see cref="GroupUpdate.Named"/>) — one request per 100 groups.
    /// </summary>
    Task<IReadOnlyDictionary<string, GroupMembers>> GroupMembersAsync(IReadOnlyList<string> groupIds, CancellationToken ct);

    /// <summary>Writes <paramref name="state"/> if the stored version is still <paramref name="expectedVersion"/> (0: absent). False on conflict.</summary>
    Task<bool> TryWriteAsync(AlertState state, long expectedVersion, CancellationToken ct);

    /// <summary>Adds or removes one firing inhibition source (idempotent).</summary>
    Task UpdateSourceAsync(SourceUpdate update, CancellationToken ct);

    Task<IReadOnlyList<InhibitionSource>> SourcesAsync(CancellationToken ct);

    /// <summary>Alerts whose next time-based work is due at or before <paramref name="until"/> (the Tick's candidates).</summary>
    Task<IReadOnlyList<AlertState>> DueAsync(DateTimeOffset until, CancellationToken ct);

    /// <summary>The store of one recovery drill: state kept apart per replay name, never due for the Tick.</summary>
    IAlertStateStore ForDrill(string replayName);

    /// <summary>Every stored alert state (operators' views; not on any hot path).</summary>
    Task<IReadOnlyList<AlertState>> AllAsync(CancellationToken ct);
}

/// <summary>What Decide reads in one request: the alert's state, the firing sources, its groups' last notices and grids.</summary>
public sealed record AlertRead(AlertState? State, IReadOnlyList<InhibitionSource> Sources, IReadOnlyDictionary<string, GroupNotice> GroupsNotified);
