using OpsPipeline.Core.Silences;

namespace OpsPipeline.Core.Ports;

/// <summary>Where the silences are read from.</summary>
public interface ISilenceSource
{
    Task<IReadOnlyList<Silence>> ListAsync(CancellationToken ct);
}

/// <summary>Silences, managed by operators (opsctl silence) and read by Decide and the Tick.</summary>
public interface ISilenceStore : ISilenceSource
{
    Task PutAsync(Silence silence, CancellationToken ct);

    /// <summary>Ends a silence now (keeps it for the record). False if no such silence.</summary>
    Task<bool> ExpireAsync(string id, DateTimeOffset now, CancellationToken ct);
}

/// <summary>The silences as read at most once per <paramref name="ttl"/> (Decide's hot path: one Query per half minute, not per event).</summary>
public sealed class CachedSilences(ISilenceSource store, TimeProvider wallClock, TimeSpan ttl) : ISilenceSource
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<Silence> _silences = [];
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public async Task<IReadOnlyList<Silence>> ListAsync(CancellationToken ct)
    {
        if (wallClock.GetUtcNow() - _loadedAt < ttl)
        {
            return _silences;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (wallClock.GetUtcNow() - _loadedAt >= ttl)
            {
                _silences = await store.ListAsync(ct).ConfigureAwait(false);
                _loadedAt = wallClock.GetUtcNow();
            }

            return _silences;
        }
        finally
        {
            _gate.Release();
        }
    }
}
