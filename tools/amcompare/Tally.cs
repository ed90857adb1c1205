namespace AmCompare;

/// <summary>One notification a receiver got; <see cref="PageKey"/> and <see cref="Trigger"/> are set for PagerDuty-like receivers.</summary>
/// <param name="Receiver">The receiver's name (the same names in both configs).</param>
/// <param name="At">When it was sent, on the storm's clock.</param>
/// <param name="PageKey">PagerDuty's dedup_key (Alertmanager: the group key, which its PagerDuty notifier hashes into one).</param>
/// <param name="Trigger">event_action trigger (Alertmanager: status firing); false: resolve.</param>
/// <param name="Action">What it was: the pipeline's action (trigger, digest, resolve, …) or Alertmanager's group status.</param>
public sealed record Notification(string Receiver, DateTimeOffset At, string? PageKey = null, bool Trigger = false, string? Action = null)
{
    /// <summary>One line each, in time order, for the run's folder: storm time, receiver, action, key.</summary>
    public static IEnumerable<string> Tsv(IEnumerable<Notification> notifications) =>
        notifications.OrderBy(n => n.At).Select(n => string.Join('\t', n.At.ToString("HH:mm:ss.f", System.Globalization.CultureInfo.InvariantCulture), n.Receiver, n.Action ?? (n.Trigger ? "trigger" : "resolve"), n.PageKey ?? string.Empty));
}

/// <summary>What one system did with the storm, counted the same way for both.</summary>
public sealed record Tally(string System, IReadOnlyDictionary<string, int> PerReceiver, int Total, int Incidents, DateTimeOffset? FirstPage)
{
    /// <summary>
    /// Incidents as PagerDuty opens them: a trigger on a dedup key with no open incident opens one; a trigger on an
    /// open one updates it; a resolve closes it.
    /// </summary>
    public static Tally Of(string system, IEnumerable<Notification> notifications)
    {
        var all = notifications.OrderBy(n => n.At).ToList();
        var open = new HashSet<string>(StringComparer.Ordinal);
        var incidents = 0;
        DateTimeOffset? firstPage = null;
        foreach (var n in all.Where(n => n.PageKey is not null))
        {
            if (!n.Trigger)
            {
                open.Remove(n.PageKey!);
            }
            else if (open.Add(n.PageKey!))
            {
                incidents++;
                firstPage ??= n.At;
            }
        }

        var perReceiver = all.GroupBy(n => n.Receiver, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new Tally(system, perReceiver, all.Count, incidents, firstPage);
    }
}
