namespace OpsPipeline.Core.ErrorBudgets;

/// <summary>Which receivers keep incidents (PagerDuty), and the SLO's team receiver, told what each incident cost.</summary>
public sealed record IncidentReceivers(Func<string, bool> KeepsIncidents, string? Team)
{
    /// <summary>
    /// The receivers one of the SLO's alarms has told it fires and not yet told it resolved (its notification log: a
    /// flapping alarm not yet settled, a resolve held for its group's update). Their incident does not resolve yet.
    /// </summary>
    public IReadOnlySet<string> StillTold { get; init; } = new HashSet<string>();
}

/// <summary>
/// One SLO incident per receiver: an alarm that backs the SLO and the SLO's burn alerts are one issue. On a receiver
/// that keeps incidents they share one dedup_key (<see cref="BudgetNotice.IncidentKeyOf"/>): the first page opens it,
/// later ones update it, and the Tick resolves it once nothing behind it fires (no alarm in ALARM, no burn alert told
/// to that receiver still firing). A burn alert to the team receiver while the incident is open is folded into it:
/// the team is told once, when the incident ends, what it cost. Without <see cref="IncidentReceivers"/> each burn
/// alert is its own notice, as it was before incidents.
/// </summary>
internal sealed class SloIncidents(BudgetState s, Configuration.SloConfig slo, DateTimeOffset now, IncidentReceivers? receivers)
{
    private readonly List<string> _paged = [.. s.Paged];
    private DateTimeOffset? _since = s.IncidentSince;

    private string Key => BudgetNotice.IncidentKeyOf(slo.Name);

    /// <summary>The notice with what an incident update names: the key, the alarms in ALARM and their severities.</summary>
    public BudgetNotice Dress(BudgetNotice n)
    {
        if (receivers is null)
        {
            return n;
        }

        var inAlarm = s.InAlarm.Keys.Order(StringComparer.Ordinal).ToList();
        return n with
        {
            IncidentKey = receivers.KeepsIncidents(n.Receiver) ? Key : null,
            InAlarm = inAlarm,
            AlarmSeverities = [.. inAlarm.Select(a => s.AlarmLabels.TryGetValue(a, out var l) && l.TryGetValue("severity", out var v) ? v : null).OfType<string>()],
        };
    }

    /// <summary>Whether a burn alert firing to <paramref name="receiver"/> is folded into the open incident rather than told.</summary>
    public bool Folds(string receiver) =>
        receivers is not null && _since is not null && receiver == receivers.Team && !receivers.KeepsIncidents(receiver);

    /// <summary>A notice told: it opens the incident if none is open (since the first bad time it looks back on), and a page is recorded as open.</summary>
    public BudgetNotice Told(BudgetNotice n, TimeSpan lookBack)
    {
        if (receivers is null)
        {
            return n;
        }

        if (n.Kind == BudgetNotice.Exhausted && _since is null)
        {
            return n with { IncidentKey = null }; // exhaustion outside an incident is its own notice, as before
        }

        _since ??= FirstBadTime(lookBack) ?? now;
        if (n.IncidentKey is not null && !_paged.Contains(n.Receiver, StringComparer.Ordinal))
        {
            _paged.Add(n.Receiver);
        }

        return n;
    }

    /// <summary>Whether a burn alert's resolve is told on its own: not when folded, not to an incident (it resolves as a whole), not to the team (told the cost instead).</summary>
    public bool ToldResolve(BurnEpisode episode, string receiver) =>
        receivers is null || (!episode.Folded && !receivers.KeepsIncidents(receiver) && receiver != receivers.Team);

    /// <summary>The incident's resolves to each receiver with nothing behind it still firing, and, when it has ended, its cost to the team.</summary>
    public IReadOnlyList<BudgetNotice> Close(IReadOnlyList<BurnEpisode> episodes, double consumed)
    {
        if (receivers is null)
        {
            return [];
        }

        var notices = new List<BudgetNotice>();
        var alarmsQuiet = s.InAlarm.Count == 0;
        var told = episodes.Where(e => e.FiringSince is not null && !e.Folded).Select(e => ReceiverOf(e.Id)).ToList();
        foreach (var receiver in _paged.ToList())
        {
            if (alarmsQuiet && !told.Contains(receiver, StringComparer.Ordinal) && !receivers.StillTold.Contains(receiver))
            {
                notices.Add(new BudgetNotice(BudgetNotice.IncidentResolved, slo, null, 0, 0, consumed, receiver) { IncidentKey = Key });
                _paged.Remove(receiver);
            }
        }

        if (_since is { } since && alarmsQuiet && _paged.Count == 0 && told.Count == 0 && receivers.StillTold.Count == 0)
        {
            if (receivers.Team is { } team)
            {
                notices.Add(new BudgetNotice(BudgetNotice.IncidentEnded, slo, null, 0, 0, consumed, team)
                {
                    // Within the SLO's window only, as the budget counts it (an incident older than that costs nothing now).
                    IncidentConsumed = BudgetLedger.BadTime(s, since > now - slo.Window ? since : now - slo.Window, now) / BudgetLedger.Budget(slo),
                    IncidentSince = since,
                });
            }

            _since = null;
        }

        return notices;
    }

    /// <summary>The state with the incident as it now stands.</summary>
    public BudgetState Recorded(BudgetState next) =>
        receivers is null ? next : next with { Paged = [.. _paged], IncidentSince = _since };

    private string? ReceiverOf(string burnAlert) =>
        slo.BurnAlerts.FirstOrDefault(a => BudgetEvaluator.Id(a) == burnAlert)?.Receiver;

    private DateTimeOffset? FirstBadTime(TimeSpan lookBack)
    {
        var from = now - lookBack;
        DateTimeOffset? first = null;
        foreach (var i in s.Intervals)
        {
            if ((i.End ?? now) > from)
            {
                var start = i.Start > from ? i.Start : from;
                first = first is null || start < first ? start : first;
            }
        }

        return first;
    }
}
