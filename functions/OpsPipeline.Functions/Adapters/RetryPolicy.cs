namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// The adapters' one retry loop: an attempt runs until it returns a result, at most <see cref="Attempts"/> times, and
/// between attempts waits a backoff that grows with the attempt (<see cref="Step"/> × attempt), jittered to between
/// half and all of it so that callers who collided do not retry in step. A zero step retries at once.
/// </summary>
/// <param name="Attempts">How many attempts in all, the first included.</param>
/// <param name="Step">The backoff after the first attempt; after attempt n it is n times this (before jitter).</param>
public sealed record RetryPolicy(int Attempts, TimeSpan Step)
{
    /// <summary>The clock the backoff waits on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>A number in [0, 1) for each backoff: where it falls between half and all of its length.</summary>
    public Func<double> Jitter { get; init; } = Random.Shared.NextDouble;

    /// <summary>Runs <paramref name="attempt"/> until it returns a result (null: not done, try again); when no attempt did, throws what <paramref name="exhausted"/> makes.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T?>> attempt, Func<Exception> exhausted, CancellationToken ct)
        where T : class
    {
        for (var n = 1; n <= Attempts; n++)
        {
            if (await attempt().ConfigureAwait(false) is { } result)
            {
                return result;
            }

            if (n < Attempts && Backoff(n) is var wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time, ct).ConfigureAwait(false);
            }
        }

        throw exhausted();
    }

    /// <summary>The wait after attempt <paramref name="attempt"/> (from 1): between half and all of <see cref="Step"/> × attempt.</summary>
    public TimeSpan Backoff(int attempt) => Step * attempt * (0.5 + (Jitter() / 2));
}
