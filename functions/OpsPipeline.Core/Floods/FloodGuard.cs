using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Floods;

/// <summary>
/// A safety property that holds whatever the input or the config: no alert sends more than the cap an hour, and no
/// receiver gets more than its cap a minute. What is over is held with the reason "rate limited", and the receiver
/// is told once how many were held and why. It never holds the first trigger of an alert, nor a resolve (which only
/// follows a trigger that was sent): those count, but always go out.
/// </summary>
public static class FloodGuard
{
    public const string Reason = "rate limited";

    public static readonly TimeSpan AlertWindow = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether a delivery always goes out (and still counts): the first notification of an episode (marked
    /// <see cref="Delivery.Essential"/> where it is decided), a resolve (sent only for what was told firing), and
    /// the guard's own notice.
    /// </summary>
    public static bool AlwaysSent(Delivery delivery) => delivery.Essential || AlwaysSent(delivery.Action);

    /// <summary>Actions that always go out, whatever the episode: resolves and the guard's own notices.</summary>
    public static bool AlwaysSent(string action) => action is DeliveryActions.Resolve or DeliveryActions.Flood;

    /// <summary>
    /// Splits one alert's notifications into those sent and those held, given when it last sent (within the hour):
    /// returns the times it has sent within the hour afterwards, newest last, at most <paramref name="cap"/> of them
    /// beyond the always-sent ones.
    /// </summary>
    public static (IReadOnlyList<T> Sent, IReadOnlyList<T> Held, IReadOnlyList<DateTimeOffset> RecentSends) ForAlert<T>(
        IReadOnlyList<DateTimeOffset> recentSends, IReadOnlyList<T> notifications, Func<T, bool> alwaysSent, DateTimeOffset now, int cap)
    {
        var window = recentSends.Where(t => t > now - AlertWindow && t <= now).ToList();
        var sent = new List<T>();
        var held = new List<T>();
        foreach (var n in notifications)
        {
            if (alwaysSent(n) || window.Count < cap)
            {
                sent.Add(n);
                window.Add(now);
            }
            else
            {
                held.Add(n);
            }
        }

        // Only the newest `cap` matter for the next decision; keeping more would grow the item under a storm.
        return (sent, held, window.Count > cap ? window[^cap..] : window);
    }

    /// <summary>The sentence an alert's state records for what the guard held.</summary>
    public static string HeldReason(int held, int cap) =>
        $"{held} notification(s) held: {Reason} (flood guard: more than {cap} an hour for this alert)";
}
