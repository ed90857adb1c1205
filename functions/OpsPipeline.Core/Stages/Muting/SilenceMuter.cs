using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Silences;

namespace OpsPipeline.Core.Stages.Muting;

/// <summary>Mutes what an active silence matches, until the silence ends.</summary>
public sealed class SilenceMuter : IMuter
{
    public Suppression? Mutes(Alert alert, DecisionContext context, DateTimeOffset now) =>
        Silence.FirstMuting(context.Silences, alert.Labels, now) is { } silence
            ? new Suppression(SuppressionKind.Silence, silence.Id, silence.EndsAt, $"{silence.Describe()}: {silence.Comment}")
            : null;
}
