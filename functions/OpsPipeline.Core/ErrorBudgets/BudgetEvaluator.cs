using System.Globalization;
using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.ErrorBudgets;

/// <summary>Multi-window, multi-burn-rate alerting (Google SRE workbook): fire when both windows burn at or above the rate.</summary>
public static class BudgetEvaluator
{
    /// <summary>Below this fraction consumed, an exhausted budget may be notified again (no flapping at 100%).</summary>
    public const double ExhaustedRearm = 0.9;

    public static string Id(BurnAlertConfig a) =>
        string.Create(CultureInfo.InvariantCulture, $"{Span(a.Long)}/{Span(a.Short)}@{a.BurnRate}x");

    /// <summary>A window as SLO people write it: 30d, 6h, 5m (one unit when it divides evenly).</summary>
    public static string Span(TimeSpan t) =>
        t.Ticks % TimeSpan.TicksPerDay == 0 ? $"{t.Days}d"
        : t.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)t.TotalHours}h"
        : t.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)t.TotalMinutes}m"
        : ConfigDuration.Format(t);

    /// <summary>
    /// The notices due now and the state that records them as told. A firing or exhausted notice that
    /// <paramref name="held"/> says to hold (a silence matches it) is neither returned nor recorded: the burn
    /// is evaluated afresh on the next tick, so it is told once the silence ends if it still holds, and never
    /// if it passed meanwhile. Resolves are never held: they only exist for a page that was sent.
    /// With <paramref name="incidents"/>, the SLO's pages are one incident per receiver (<see cref="SloIncidents"/>).
    /// </summary>
    public static (BudgetState State, IReadOnlyList<BudgetNotice> Notices) Evaluate(BudgetState s, SloConfig slo, DateTimeOffset now, Func<BudgetNotice, bool>? held = null, IncidentReceivers? incidents = null)
    {
        var notices = new List<BudgetNotice>();
        var consumed = BudgetLedger.Consumed(s, slo, now);
        var incident = new SloIncidents(s, slo, now, incidents);
        var episodes = new List<BurnEpisode>();
        foreach (var alert in slo.BurnAlerts)
        {
            var id = Id(alert);
            var episode = s.Episodes.FirstOrDefault(e => e.Id == id) ?? new BurnEpisode(id, null);
            var longRate = BudgetLedger.BurnRate(s, slo, alert.Long, now);
            var shortRate = BudgetLedger.BurnRate(s, slo, alert.Short, now);
            if (episode.FiringSince is null && longRate >= alert.BurnRate && shortRate >= alert.BurnRate)
            {
                var firing = incident.Dress(new BudgetNotice(BudgetNotice.BurnFiring, slo, alert, longRate, shortRate, consumed, alert.Receiver));
                if (incident.Folds(alert.Receiver))
                {
                    episode = episode with { FiringSince = now, Folded = true };
                }
                else if (held?.Invoke(firing) != true)
                {
                    episode = episode with { FiringSince = now, Folded = false };
                    notices.Add(incident.Told(firing, alert.Long));
                }
            }
            else if (episode.FiringSince is not null && shortRate < alert.BurnRate)
            {
                if (incident.ToldResolve(episode, alert.Receiver))
                {
                    notices.Add(new BudgetNotice(BudgetNotice.BurnResolved, slo, alert, longRate, shortRate, consumed, alert.Receiver));
                }

                episode = episode with { FiringSince = null, Folded = false };
            }

            episodes.Add(episode);
        }

        var exhausted = s.ExhaustedNotified;
        if (!exhausted && consumed >= 1 && slo.BurnAlerts.Count > 0)
        {
            // The most urgent burn alert's receiver: exhaustion is at least as urgent as the fastest burn.
            var notice = incident.Dress(new BudgetNotice(BudgetNotice.Exhausted, slo, null, 0, 0, consumed, slo.BurnAlerts[0].Receiver));
            if (held?.Invoke(notice) != true)
            {
                exhausted = true;
                notices.Add(incident.Told(notice, slo.Window));
            }
        }
        else if (exhausted && consumed < ExhaustedRearm)
        {
            exhausted = false;
        }

        notices.AddRange(incident.Close(episodes, consumed));
        return (incident.Recorded(s with { Episodes = episodes, ExhaustedNotified = exhausted }), notices);
    }
}
