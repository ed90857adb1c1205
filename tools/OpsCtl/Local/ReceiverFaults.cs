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

    public void Clear() => _plans.Clear();

    public ReceiverAnswer Next(string receiver) =>
        _plans.TryGetValue(receiver, out var plan)
            ? plan.Answers.TryDequeue(out var answer) ? answer : plan.Fallback
            : ReceiverAnswer.Ok;

    private sealed record Plan(ConcurrentQueue<ReceiverAnswer> Answers, ReceiverAnswer Fallback);
}
