using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Stages.Grouping;

/// <summary>
/// A group's roll as Alertmanager's messages show it: which of its members told firing its record names (the worst
/// few, for later updates to list), and which of them an update lists as still firing besides its own members.
/// </summary>
public static class GroupRoster
{
    /// <summary>Members a record names: as many as a digest lists one by one (<c>AlertDigest.ListedAlerts</c>); the rest are counted.</summary>
    public const int NamedMembers = 20;

    /// <summary>
    /// A name in the record: a pointer to an alert whose own notification showed it whole. The bound keeps the record
    /// small, as Decide reads it with every grouped alert's state.
    /// </summary>
    public const int NameChars = 128;

    /// <summary>The alert stored under <paramref name="alertKey"/> as its group's record names it: cleaned, capped, its severity on the one scale.</summary>
    public static FiringMember Member(string alertKey, Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new(GroupNotices.MemberId(alertKey), Truncation.ToChars(UntrustedText.OneLine(alert.Name), NameChars), Severities.Normalize(alert.Severity));
    }

    /// <summary>
    /// The members the record names after an update: those it named that are still told firing, and those the update
    /// told, worst first then by name, at most <see cref="NamedMembers"/>.
    /// </summary>
    public static IReadOnlyList<FiringMember> NamedAfter(GroupMembers before, IEnumerable<FiringMember> told, IEnumerable<string> untoldIds)
    {
        ArgumentNullException.ThrowIfNull(before);
        var untold = untoldIds.ToHashSet(StringComparer.Ordinal);
        var joined = told.Where(m => !untold.Contains(m.Id)).ToList();
        var stillNamed = before.Named.Where(m => before.Told.Contains(m.Id) && !untold.Contains(m.Id) && !joined.Any(j => j.Id == m.Id));
        return [.. Worst(joined.DistinctBy(m => m.Id).Concat(stillNamed)).Take(NamedMembers)];
    }

    /// <summary>
    /// What an update lists as still firing besides its own members: those told firing before it (the record read
    /// before it), neither in it nor told resolved by it (untold: a resolve left unsent).
    /// </summary>
    public static StillFiring Still(GroupMembers before, IEnumerable<string> inUpdateIds, IEnumerable<string> untoldIds)
    {
        ArgumentNullException.ThrowIfNull(before);
        var left = before.Told.ToHashSet(StringComparer.Ordinal);
        left.ExceptWith(inUpdateIds);
        left.ExceptWith(untoldIds);
        var named = Worst(before.Named.Where(m => left.Contains(m.Id)).DistinctBy(m => m.Id)).ToList();
        return new StillFiring(named, left.Count - named.Count);
    }

    private static IEnumerable<FiringMember> Worst(IEnumerable<FiringMember> members) =>
        members.OrderByDescending(m => Severities.Rank(m.Severity)).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Id, StringComparer.Ordinal);
}
