using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.ErrorBudgets;

/// <summary>
/// Period-based error budgets, pure: time during which any of an SLO's alarms is in ALARM is bad time;
/// burn rate over a window = (bad time ÷ window) ÷ (1 − objective).
/// </summary>
public static class BudgetLedger
{
    /// <summary>
    /// Applies one alarm transition. Older or repeated transitions of the same alarm change nothing. The alarm's
    /// labels at this transition and its alert key (if given) are kept for silences and for the incident's end.
    /// </summary>
    public static BudgetState Apply(BudgetState s, string alarm, bool inAlarm, DateTimeOffset at, SloConfig slo, IReadOnlyDictionary<string, string>? labels = null, string? key = null)
    {
        if (s.LastApplied.TryGetValue(alarm, out var last) && at <= last)
        {
            return s;
        }

        var applied = new Dictionary<string, DateTimeOffset>(s.LastApplied) { [alarm] = at };
        var firing = new Dictionary<string, DateTimeOffset>(s.InAlarm);
        var intervals = s.Intervals.ToList();
        var was = firing.ContainsKey(alarm);
        if (inAlarm && !was)
        {
            if (firing.Count == 0)
            {
                intervals.Add(new BadInterval(at, null));
            }

            firing[alarm] = at;
        }
        else if (!inAlarm && was)
        {
            firing.Remove(alarm);
            if (firing.Count == 0 && intervals.Count > 0 && intervals[^1].End is null)
            {
                var open = intervals[^1];
                intervals[^1] = open with { End = at < open.Start ? open.Start : at };
            }
        }

        var alarmLabels = s.AlarmLabels;
        if (labels is not null)
        {
            alarmLabels = new Dictionary<string, IReadOnlyDictionary<string, string>>(s.AlarmLabels, StringComparer.Ordinal) { [alarm] = labels };
        }

        var keys = s.AlarmKeys;
        if (key is not null && (!keys.TryGetValue(alarm, out var known) || known != key))
        {
            keys = new Dictionary<string, string>(s.AlarmKeys, StringComparer.Ordinal) { [alarm] = key };
        }

        return s with
        {
            AlarmKeys = keys,
            LastApplied = applied,
            InAlarm = firing,
            Intervals = Prune(intervals, at - slo.Window),
            AlarmLabels = alarmLabels,
            // An alarm entering ALARM opens the SLO's incident, if none is open.
            IncidentSince = s.IncidentSince ?? (inAlarm && !was ? at : null),
        };
    }

    /// <summary>Intervals that ended before the window are dropped; past the cap the oldest two merge (bad time is kept, never lost).</summary>
    private static List<BadInterval> Prune(List<BadInterval> intervals, DateTimeOffset windowStart)
    {
        intervals.RemoveAll(i => i.End is { } end && end <= windowStart);
        while (intervals.Count > BudgetState.MaxIntervals)
        {
            // Merging overstates bad time slightly (the gap counts); it errs on the side of paging.
            intervals[1] = new BadInterval(intervals[0].Start, intervals[1].End);
            intervals.RemoveAt(0);
        }

        return intervals;
    }

    /// <summary>Bad time within [from, to]; an interval still open counts up to <paramref name="to"/>.</summary>
    public static TimeSpan BadTime(BudgetState s, DateTimeOffset from, DateTimeOffset to)
    {
        var total = TimeSpan.Zero;
        foreach (var i in s.Intervals)
        {
            var start = i.Start > from ? i.Start : from;
            var end = i.End is { } e && e < to ? e : to;
            if (end > start)
            {
                total += end - start;
            }
        }

        return total;
    }

    /// <summary>The whole budget: window × (1 − objective); 99.9% over 30d is 43.2 minutes.</summary>
    public static TimeSpan Budget(SloConfig slo) => slo.Window * (1 - (slo.Objective / 100));

    public static double BurnRate(BudgetState s, SloConfig slo, TimeSpan window, DateTimeOffset now) =>
        BadTime(s, now - window, now) / window / (1 - (slo.Objective / 100));

    /// <summary>Budget consumed over the SLO window, as a fraction (1.0 = exhausted; can exceed 1).</summary>
    public static double Consumed(BudgetState s, SloConfig slo, DateTimeOffset now) =>
        BadTime(s, now - slo.Window, now) / Budget(slo);
}
