using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Silences;

/// <summary>
/// A time-bounded mute, Alertmanager style: alerts whose labels match every matcher between
/// <see cref="StartsAt"/> and <see cref="EndsAt"/> are recorded, not sent.
/// </summary>
public sealed class Silence
{
    public required string Id { get; init; }

    /// <summary>Matchers as written: label → value, or "~regex".</summary>
    public required IReadOnlyDictionary<string, string> Matchers { get; init; }

    /// <summary>
    /// Further matchers in Alertmanager syntax (<c>service!=checkout</c>, <c>env!~dev|test</c>): those the label → value
    /// form cannot say. An alert must match these and <see cref="Matchers"/>.
    /// </summary>
    public IReadOnlyList<string> Expressions { get; init; } = [];

    public required DateTimeOffset StartsAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }

    public required string CreatedBy { get; init; }

    public required string Comment { get; init; }

    private LabelMatchers? _compiled;

    private bool _unreadable;

    private LabelMatchers Compiled => _compiled ??= Compile();

    public bool IsActiveAt(DateTimeOffset now) => StartsAt <= now && now < EndsAt;

    /// <summary>Whether it mutes these labels now; a silence whose stored expressions cannot be read mutes nothing.</summary>
    public bool Mutes(IReadOnlyDictionary<string, string> labels, DateTimeOffset now) => IsActiveAt(now) && Compiled.Matches(labels) && !_unreadable;

    private LabelMatchers Compile()
    {
        var matchers = Matchers.Select(m => new LabelMatcher(m.Key, m.Value)).ToList();
        foreach (var expression in Expressions)
        {
            try
            {
                matchers.Add(LabelMatcher.Parse(expression));
            }
            catch (FormatException)
            {
                _unreadable = true;
            }
        }

        return new LabelMatchers(matchers);
    }

    /// <summary>The first of <paramref name="silences"/> that mutes <paramref name="labels"/> at <paramref name="now"/>, or null.</summary>
    public static Silence? FirstMuting(IEnumerable<Silence> silences, IReadOnlyDictionary<string, string> labels, DateTimeOffset now) =>
        silences.FirstOrDefault(s => s.Mutes(labels, now));

    /// <summary>Why something it mutes was not sent: `silenced by a1b2c3d4 ({…} until … by alice: INC-42)`.</summary>
    public string Reason => $"silenced by {Id} ({Describe()}: {Comment})";

    /// <summary>How an operator reads it: `{service=checkout, alarmName=~^checkout-} until 2026-03-02T10:00Z by alice`.</summary>
    public string Describe() =>
        $"{Compiled} until {EndsAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture)} by {CreatedBy}";
}
