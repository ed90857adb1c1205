using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Routing;
using OpsPipeline.Core.TimeIntervals;

namespace OpsPipeline.Core.Stages.TimeMuting;

/// <summary>
/// Whether a route is muted by time now, as Alertmanager's TimeMuteStage and TimeActiveStage decide it: inside any of
/// its mute intervals, or outside all of its active intervals (a route without active intervals is always active).
/// Time muting belongs to a route, not to an alert: every alert on the route is muted alike.
/// </summary>
public sealed class RouteTimeMuter(IReadOnlyList<NamedTimeInterval> intervals)
{
    private readonly Dictionary<string, NamedTimeInterval> _byName = intervals.Where(i => i.Name.Length > 0).DistinctBy(i => i.Name).ToDictionary(i => i.Name, StringComparer.Ordinal);

    /// <summary>Whether any route uses a time interval (when none does, this stage has nothing to do).</summary>
    public bool Any => _byName.Count > 0;

    /// <summary>Why <paramref name="route"/> is muted at <paramref name="now"/>, until when; null when it notifies.</summary>
    public Suppression? Mutes(MatchedRoute route, DateTimeOffset now)
    {
        if (_byName.Count == 0 || (route.MuteTimeIntervals.Count == 0 && route.ActiveTimeIntervals.Count == 0))
        {
            return null;
        }

        var mute = Named(route.MuteTimeIntervals);
        var active = Named(route.ActiveTimeIntervals);
        bool Muted(DateTimeOffset t) => mute.Any(i => i.Contains(t)) || (active.Count > 0 && !active.Any(i => i.Contains(t)));
        if (!Muted(now))
        {
            return null;
        }

        var until = TimeIntervalSearch.NextChange(Muted, [.. mute.Concat(active).SelectMany(i => i.Intervals)], now) ?? now + TimeIntervalSearch.Horizon;
        return mute.FirstOrDefault(i => i.Contains(now)) is { } by
            ? new Suppression(SuppressionKind.TimeInterval, by.Name, until, $"muted by time interval {by.Name}")
            : new Suppression(SuppressionKind.TimeInterval, string.Join(",", active.Select(i => i.Name)), until, $"outside active time interval {string.Join(", ", active.Select(i => i.Name))}");
    }

    private List<NamedTimeInterval> Named(IReadOnlyList<string> names) => [.. names.Select(n => _byName.GetValueOrDefault(n)).OfType<NamedTimeInterval>()];
}
