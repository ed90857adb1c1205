using System.Text.Json.Nodes;
using OpsPipeline.Functions;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// The execution's TimeoutSeconds against the worst case of every path through it. A timed-out execution sends
/// nothing and parks nothing, so every retry, backoff and task timeout must fit: Decide (or the Tick) at its worst,
/// then Deliver's deadline reserve, within which Deliver either sends, or defers to the Tick, and parking still fits.
/// </summary>
public class ExecutionBudgetTests
{
    private readonly AslDefinition _asl = AslDefinition.Load(RepoFiles.Asl);

    private int ExecutionTimeout => _asl.Root["TimeoutSeconds"]!.GetValue<int>();

    /// <summary>
    /// One task at its worst: every attempt runs to its TimeoutSeconds, and every backoff waits its full interval
    /// (full jitter waits at most that), capped by MaxDelaySeconds; retry counters are per retrier.
    /// </summary>
    private static double WorstCaseSeconds(JsonObject task)
    {
        var timeout = task["TimeoutSeconds"]?.GetValue<int>() ?? throw new Xunit.Sdk.XunitException($"a task without TimeoutSeconds: {task.ToJsonString()}");
        var retriers = task["Retry"]?.AsArray().Select(r => r!.AsObject()).ToList() ?? [];
        double backoff = 0;
        var attempts = 1;
        foreach (var retrier in retriers)
        {
            var max = retrier["MaxAttempts"]?.GetValue<int>() ?? 3;
            var interval = retrier["IntervalSeconds"]?.GetValue<double>() ?? 1;
            var rate = retrier["BackoffRate"]?.GetValue<double>() ?? 2;
            var cap = retrier["MaxDelaySeconds"]?.GetValue<double>() ?? double.MaxValue;
            attempts += max;
            for (var k = 0; k < max; k++)
            {
                backoff += Math.Min(interval * Math.Pow(rate, k), cap);
            }
        }

        return (attempts * timeout) + backoff;
    }

    [Fact]
    public void Tasks_WhenTheyRun_ShouldEachHaveAnExplicitTimeout()
    {
        // Without one, a Task's timeout is the service default, far past the execution's.
        var tasks = _asl.States().Where(s => s.State["Type"]?.GetValue<string>() == "Task").ToList();

        Assert.True(tasks.Count >= 6, $"expected the pipeline's tasks, found {tasks.Count}");
        Assert.All(tasks, t => Assert.True(t.State["TimeoutSeconds"]?.GetValue<int>() is > 0, $"{t.Name}: no TimeoutSeconds"));
    }

    [Fact]
    public void DeliverDeadline_WhenTheExecutionTimesOut_ShouldBeTheDefinitionsTimeout()
    {
        Assert.Equal(ExecutionTimeout, OpsPipeline.Core.Pipeline.DeliverUseCase.ExecutionTimeout.TotalSeconds);
    }

    [Fact]
    public void DeliverReserve_WhenLittleTimeIsLeft_ShouldHoldOneAttemptABackoffADeferringAttemptAndParking()
    {
        var deliver = _asl.State("Deliver notification");
        var attempt = deliver["TimeoutSeconds"]!.GetValue<int>();
        var longestBackoff = deliver["Retry"]!.AsArray().Max(r => r!["MaxDelaySeconds"]!.GetValue<double>());
        var park = WorstCaseSeconds(_asl.State("Park failed delivery"));

        var needed = attempt + longestBackoff + attempt + park;

        Assert.True(
            OpsPipeline.Core.Pipeline.DeliverUseCase.DeadlineReserve.TotalSeconds >= needed,
            $"Deliver's reserve is {OpsPipeline.Core.Pipeline.DeliverUseCase.DeadlineReserve.TotalSeconds} s; an attempt ({attempt} s), a backoff ({longestBackoff} s), a deferring attempt ({attempt} s) and parking ({park} s) need {needed} s");
    }

    [Theory]
    [InlineData("Decide alert")]
    [InlineData("Run tick")]
    public void WorstCase_WhenEveryRetryAndTimeoutIsSpent_ShouldLeaveDeliverItsReserveWithinTheExecution(string first)
    {
        var before = WorstCaseSeconds(_asl.State(first));
        var deliver = OpsPipeline.Core.Pipeline.DeliverUseCase.DeadlineReserve.TotalSeconds;
        var sns = WorstCaseSeconds(_asl.State("Publish to SNS")) + WorstCaseSeconds(_asl.State("Park failed delivery"));
        // Its Catch parks the input: the parked copy is rendered, then sent; if rendering fails, the raw input is sent.
        var park = WorstCaseSeconds(_asl.State("Prepare parked copy")) + Math.Max(WorstCaseSeconds(_asl.State("Park invalid event")), WorstCaseSeconds(_asl.State("Park raw event")));

        Assert.True(before + deliver <= ExecutionTimeout, $"{first} at worst ({before} s) + Deliver's reserve ({deliver} s) > {ExecutionTimeout} s");
        Assert.True(before + sns <= ExecutionTimeout, $"{first} at worst ({before} s) + SNS and its parking ({sns} s) > {ExecutionTimeout} s");
        Assert.True(before + park <= ExecutionTimeout, $"{first} at worst ({before} s) + parking the event ({park} s) > {ExecutionTimeout} s");
    }

    [Fact]
    public void StateMachine_WhenAReceiverAsksToWait_ShouldHaveNoWaitStateThatCouldOutliveTheExecution()
    {
        // Long waits are the Tick's (deferred deliveries), never a Wait state inside one execution.
        Assert.DoesNotContain(_asl.States(), s => s.State["Type"]?.GetValue<string>() == "Wait");
    }
}
