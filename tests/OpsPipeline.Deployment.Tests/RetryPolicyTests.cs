using OpsPipeline.Functions.Adapters;

namespace OpsPipeline.Deployment.Tests;

/// <summary>The adapters' one retry loop: how many attempts, how long between them, and what happens when none succeeds.</summary>
public class RetryPolicyTests
{
    /// <summary>Records each wait and ends it at once.</summary>
    private sealed class RecordingTime : TimeProvider
    {
        public List<TimeSpan> Waits { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Waits.Add(dueTime);
            return System.CreateTimer(callback, state, TimeSpan.Zero, period);
        }
    }

    private static (RetryPolicy Policy, RecordingTime Time) Policy(TimeSpan step, double jitter = 0)
    {
        var time = new RecordingTime();
        return (new RetryPolicy(5, step) { Time = time, Jitter = () => jitter }, time);
    }

    [Fact]
    public async Task RunAsync_WhenTheThirdAttemptSucceeds_ShouldStopThereAfterTwoGrowingWaits()
    {
        var (policy, time) = Policy(TimeSpan.FromMilliseconds(50));
        var calls = 0;

        var result = await policy.RunAsync(() => Task.FromResult(++calls == 3 ? "done" : null), () => new InvalidOperationException(), CancellationToken.None);

        Assert.Equal(("done", 3), (result, calls));
        Assert.Equal([TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(50)], time.Waits);
    }

    [Fact]
    public async Task RunAsync_WhenNoAttemptSucceeds_ShouldThrowAfterTheLastWithoutWaitingAgain()
    {
        var (policy, time) = Policy(TimeSpan.FromMilliseconds(50));
        var calls = 0;

        var e = await Assert.ThrowsAsync<TimeoutException>(() => policy.RunAsync(() => Task.FromResult(++calls < 0 ? "never" : null), () => new TimeoutException("gave up"), CancellationToken.None));

        Assert.Equal(("gave up", 5, 4), (e.Message, calls, time.Waits.Count));
    }

    [Fact]
    public async Task RunAsync_WhenTheStepIsZero_ShouldRetryAtOnce()
    {
        var (policy, time) = Policy(TimeSpan.Zero);
        var calls = 0;

        await policy.RunAsync(() => Task.FromResult(++calls == 5 ? "last" : null), () => new InvalidOperationException(), CancellationToken.None);

        Assert.Equal(5, calls);
        Assert.Empty(time.Waits);
    }

    [Theory]
    [InlineData(1, 0.0, 50)]
    [InlineData(1, 0.5, 75)]
    [InlineData(3, 0.0, 150)]
    [InlineData(3, 0.5, 225)]
    public void Backoff_WhenJittered_ShouldFallBetweenHalfAndAllOfStepTimesAttempt(int attempt, double jitter, double expectedMilliseconds)
    {
        var (policy, _) = Policy(TimeSpan.FromMilliseconds(100), jitter);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), policy.Backoff(attempt));
    }

    [Fact]
    public void Backoff_WhenTheJitterIsAsHighAsItGoes_ShouldNotExceedStepTimesAttempt()
    {
        var (policy, _) = Policy(TimeSpan.FromMilliseconds(100), Math.BitDecrement(1.0));

        Assert.InRange(policy.Backoff(2), TimeSpan.FromMilliseconds(199), TimeSpan.FromMilliseconds(200));
    }
}
