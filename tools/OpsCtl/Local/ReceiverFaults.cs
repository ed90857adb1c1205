using System.Collections.Concurrent;

namespace OpsCtl.Local;

/// <summary>One scripted answer of a local receiver: a status (with optional Retry-After), a delay, or a dropped connection.</summary>
public sealed record ReceiverAnswer(int Status, TimeSpan? RetryAfter = null, TimeSpan? Delay = null, bool ResetConnection = false)
{
    public static readonly ReceiverAnswer Ok = new(200);
}

/// <summary>
/// Fault injection for the local Slack / PagerDuty / webhook receivers: per receiver, a queue of scripted
/// answers, then a fallback (default: success). Lets tests say "500 twice then 200" or "always down".
/// </summary>
public sealed class ReceiverFaults
{
    private readonly ConcurrentDictionary<string, Plan> _plans = new(StringComparer.Ordinal);

    /// <summary>The next answers for <paramref name="receiver"/>, in order; afterwards, success.</summary>
    public void Script(string receiver, params ReceiverAnswer[] answers) =>
        _plans[receiver] = new Plan(new ConcurrentQueue<ReceiverAnswer>(answers), ReceiverAnswer.Ok);

    /// <summary>Every request to <paramref name="receiver"/> gets <paramref name="answer"/>.</summary>
    public void Always(string receiver, ReceiverAnswer answer) =>
        _plans[receiver] = new Plan(new ConcurrentQueue<ReceiverAnswer>(), answer);

    /// <summary>A random share of requests to <paramref name="receiver"/> gets one of <paramref name="faults"/> (seeded: reproducible).</summary>
    public void Random(string receiver, double rate, int seed, params ReceiverAnswer[] faults)
    {
        var random = new System.Random(seed);
        _random[receiver] = () =>
        {
            lock (random)
            {
                return random.NextDouble() < rate ? faults[random.Next(faults.Length)] : ReceiverAnswer.Ok;
            }
        };
    }

    private readonly ConcurrentDictionary<string, Func<ReceiverAnswer>> _random = new(StringComparer.Ordinal);

    public void Clear()
    {
        _plans.Clear();
        _random.Clear();
    }

    public ReceiverAnswer Next(string receiver) =>
        _random.TryGetValue(receiver, out var draw) ? draw()
        : _plans.TryGetValue(receiver, out var plan)
            ? plan.Answers.TryDequeue(out var answer) ? answer : plan.Fallback
            : ReceiverAnswer.Ok;

    private sealed record Plan(ConcurrentQueue<ReceiverAnswer> Answers, ReceiverAnswer Fallback);
}
