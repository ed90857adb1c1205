using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;

namespace OpsPipeline.Core.Stages.Muting;

/// <summary>
/// Mutes an inhibit rule's targets while one of its sources fires with the same values of the rule's <c>equal</c>
/// labels. An alert never inhibits itself (Alertmanager: a source that is also a target is not muted by itself).
/// </summary>
public sealed class InhibitionMuter(IReadOnlyList<InhibitRule> rules) : IMuter
{
    /// <summary>An inhibited alert is re-checked this often, so it is notified soon after its source resolves.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromMinutes(1);

    /// <summary>Whether deciding on these labels needs the firing sources (it is an inhibit target).</summary>
    public bool IsTarget(IReadOnlyDictionary<string, string> labels) => rules.Any(r => r.TargetMatch.Matches(labels));

    /// <summary>Whether an alert with these labels is an inhibition source.</summary>
    public bool IsSource(IReadOnlyDictionary<string, string> labels) => rules.Any(r => r.SourceMatch.Matches(labels));

    public Suppression? Mutes(Alert alert, DecisionContext context, DateTimeOffset now)
    {
        foreach (var rule in rules)
        {
            if (!rule.TargetMatch.Matches(alert.Labels))
            {
                continue;
            }

            foreach (var source in context.Sources)
            {
                if (source.AlertKey != alert.Key && rule.SourceMatch.Matches(source.Labels) && rule.Equal.All(l => Value(source.Labels, l) == Value(alert.Labels, l)))
                {
                    return new Suppression(SuppressionKind.Inhibition, source.AlertKey, now + Recheck, source.Name);
                }
            }
        }

        return null;
    }

    private static string Value(IReadOnlyDictionary<string, string> labels, string name) => labels.TryGetValue(name, out var v) ? v : string.Empty;
}
