using OpsCtl;

namespace AmCompare;

/// <summary>One alarm transition as it reaches the pipeline: when it happened, when it arrived, and the firing it ends.</summary>
/// <param name="Alarm">CloudWatch alarm name.</param>
/// <param name="Firing">ALARM (true) or OK.</param>
/// <param name="At">The transition's time (the event's <c>time</c> and state timestamp).</param>
/// <param name="Arrival">When it is delivered: later than <paramref name="At"/> for late events and duplicates.</param>
/// <param name="FiringSince">The start of the firing this transition belongs to (Alertmanager's startsAt).</param>
/// <param name="EventId">EventBridge id; a duplicate repeats its original's.</param>
public sealed record StormEvent(string Alarm, bool Firing, DateTimeOffset At, DateTimeOffset Arrival, DateTimeOffset FiringSince, string EventId)
{
    /// <summary>The CloudWatch "Alarm State Change" event, for `opsctl local --clock event`.</summary>
    public string CloudWatchJson() => StormCommand.Event(Alarm, Firing ? "ALARM" : "OK", Firing ? "OK" : "ALARM", At, EventId);
}

/// <summary>
/// The storm of issue 16, seeded: two hours, 40 alarms in 5 services; a checkout capability incident over its 8
/// components (inhibition); two incidents in each other service; 2 flapping alarms; duplicates and late events mixed
/// in. Same seed, same storm.
/// </summary>
public static class AlarmStorm
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan Length = TimeSpan.FromHours(2);

    /// <summary>An alarm in no service, OK at the storm's end: it only moves the event clock there, so every timer due in the two hours runs.</summary>
    public const string ClockAlarm = "amcompare-storm-end";

    public static readonly string[] Flapping = ["search-api-latency", "shipping-queue-depth"];

    /// <summary>Alarm names per service: checkout has the capability and 8 components, 40 alarms in all.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Services = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["checkout"] = ["checkout-capability", "checkout-api-5xx", "checkout-api-latency", "checkout-lambda-errors", "checkout-lambda-throttles", "checkout-db-latency", "checkout-queue-depth", "checkout-payments-errors", "checkout-cache-misses"],
        ["billing"] = ["billing-api-5xx", "billing-api-latency", "billing-lambda-errors", "billing-lambda-throttles", "billing-db-latency", "billing-export-lag", "billing-invoice-errors", "billing-queue-depth"],
        ["search"] = ["search-api-5xx", "search-api-latency", "search-lambda-errors", "search-lambda-throttles", "search-index-lag", "search-db-latency", "search-cache-misses", "search-queue-depth"],
        ["catalog"] = ["catalog-api-5xx", "catalog-api-latency", "catalog-lambda-errors", "catalog-lambda-throttles", "catalog-db-latency", "catalog-images-errors", "catalog-sync-lag", "catalog-queue-depth"],
        ["shipping"] = ["shipping-api-5xx", "shipping-api-latency", "shipping-lambda-errors", "shipping-lambda-throttles", "shipping-db-latency", "shipping-queue-depth", "shipping-labels-errors"],
    };

    /// <summary>Every transition in arrival order (ties: by alarm name), ending with <see cref="ClockAlarm"/> at the storm's end.</summary>
    public static IReadOnlyList<StormEvent> Generate(int seed)
    {
        var random = new Random(seed);
        var firings = new List<(string Alarm, DateTimeOffset From, DateTimeOffset To)>();

        // The capability incident: components fail over six minutes, the capability alarm from the third on; all recover.
        var checkout = Services["checkout"];
        var incident = Start.AddMinutes(10);
        for (var i = 1; i < checkout.Length; i++)
        {
            var from = incident.AddSeconds((i - 1) * 45 + random.Next(0, 30));
            firings.Add((checkout[i], from, incident.AddMinutes(30 + random.Next(0, 15))));
        }

        firings.Add((checkout[0], incident.AddMinutes(2), incident.AddMinutes(47)));

        // Two incidents per other service, each alarm in one of them (some in both); each lasts 4 to 25 minutes.
        foreach (var (service, alarms) in Services.Where(s => s.Key != "checkout"))
        {
            var first = Start.AddMinutes(random.Next(5, 45));
            var second = Start.AddMinutes(random.Next(60, 95));
            foreach (var alarm in alarms.Where(a => !Flapping.Contains(a)))
            {
                var inFirst = random.NextDouble() < 0.6;
                var inSecond = !inFirst || random.NextDouble() < 0.3;
                foreach (var (begin, take) in new[] { (first, inFirst), (second, inSecond) })
                {
                    if (take)
                    {
                        var from = begin.AddSeconds(random.Next(0, 240));
                        firings.Add((alarm, from, from.AddMinutes(random.Next(4, 26))));
                    }
                }
            }
        }

        // Flapping: ALARM and OK every 2 to 4 minutes for half an hour, then settled OK.
        foreach (var alarm in Flapping)
        {
            var at = Start.AddMinutes(random.Next(50, 60));
            for (var flap = 0; flap < 5; flap++)
            {
                var to = at.AddMinutes(random.Next(2, 4));
                firings.Add((alarm, at, to));
                at = to.AddMinutes(random.Next(2, 4));
            }
        }

        var events = new List<StormEvent>();
        var n = 0;
        foreach (var (alarm, from, to) in Separated(firings).OrderBy(f => f.From).ThenBy(f => f.Alarm, StringComparer.Ordinal))
        {
            foreach (var (firing, at) in new[] { (true, from), (false, to) })
            {
                var id = $"00000000-0000-4000-8000-{seed:x4}{n++:x8}";
                // Late: 5% of the non-flapping transitions arrive 1 to 3 minutes late (EventBridge retries), never past
                // the same alarm's next transition (firings of one alarm are at least 5 minutes apart).
                var late = !Flapping.Contains(alarm) && random.NextDouble() < 0.05 ? TimeSpan.FromSeconds(random.Next(60, 180)) : TimeSpan.Zero;
                events.Add(new StormEvent(alarm, firing, at, at + late, from, id));
                if (random.NextDouble() < 0.1)
                {
                    events.Add(new StormEvent(alarm, firing, at, at + late + TimeSpan.FromSeconds(random.Next(1, 30)), from, id)); // at least once
                }
            }
        }

        var end = Start + Length;
        events.Add(new StormEvent(ClockAlarm, false, end, end, end, $"00000000-0000-4000-8000-{seed:x4}ffffffff"));
        return [.. events.Where(e => e.Arrival <= end).OrderBy(e => e.Arrival).ThenBy(e => e.Alarm, StringComparer.Ordinal)];
    }

    /// <summary>Per alarm, drops a firing that starts less than 5 minutes after the one before it ended (overlapping incidents).</summary>
    private static IEnumerable<(string Alarm, DateTimeOffset From, DateTimeOffset To)> Separated(IEnumerable<(string Alarm, DateTimeOffset From, DateTimeOffset To)> firings)
    {
        foreach (var alarm in firings.GroupBy(f => f.Alarm))
        {
            var ended = DateTimeOffset.MinValue;
            foreach (var f in alarm.OrderBy(f => f.From))
            {
                if (f.From >= ended.AddMinutes(Flapping.Contains(f.Alarm) ? 0 : 5))
                {
                    ended = f.To;
                    yield return f;
                }
            }
        }
    }
}
