using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Functions.Adapters;

/// <summary>Persistence of alert state: one consistent read and one conditional write per event.</summary>
public interface IAlertStateStore
{
    Task<AlertState?> GetAsync(string alertKey, CancellationToken ct);

    /// <summary>Writes <paramref name="state"/> if the stored version is still <paramref name="expectedVersion"/> (0: absent). False on conflict.</summary>
    Task<bool> TryWriteAsync(AlertState state, long expectedVersion, CancellationToken ct);
}
