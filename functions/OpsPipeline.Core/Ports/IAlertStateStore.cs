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
    /// Decide's one read: the alert's state, the firing sources if <paramref name="withSources"/>, and when each of
    /// <paramref name="groupIds"/> (<see cref="GroupNotices.Id"/>) last had a notification — one request.
    /// </summary>
    Task<AlertRead> ReadAsync(string alertKey, bool withSources, IReadOnlyList<string> groupIds, CancellationToken ct);

    /// <summary>Records that these groups were notified at <paramref name="at"/> (idempotent: the later time wins).</summary>
    Task NoteGroupsAsync(IReadOnlyList<string> groupIds, DateTimeOffset at, CancellationToken ct);

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

/// <summary>What Decide reads in one request: the alert's state, the firing sources, when its groups were last notified.</summary>
public sealed record AlertRead(AlertState? State, IReadOnlyList<InhibitionSource> Sources, IReadOnlyDictionary<string, DateTimeOffset> GroupsNotified);
