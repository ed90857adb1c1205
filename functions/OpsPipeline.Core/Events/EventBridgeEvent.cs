using System.Text.Json.Serialization;

namespace OpsPipeline.Core.Events;

/// <summary>
/// The EventBridge envelope as it arrives on the wire, property names spelled as AWS spells them.
/// Everything is nullable because this is what was sent, not what was validated: <see cref="EventParser"/>
/// checks the required fields and hands out a <see cref="ParsedEvent"/>.
/// </summary>
public sealed record EventBridgeEvent<TDetail>
    where TDetail : class
{
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("detail-type")]
    public string? DetailType { get; init; }

    [JsonPropertyName("source")]
    public string? Source { get; init; }

    [JsonPropertyName("account")]
    public string? Account { get; init; }

    [JsonPropertyName("time")]
    public DateTimeOffset? Time { get; init; }

    [JsonPropertyName("region")]
    public string? Region { get; init; }

    [JsonPropertyName("resources")]
    public IReadOnlyList<string?>? Resources { get; init; }

    [JsonPropertyName("detail")]
    public TDetail? Detail { get; init; }

    /// <summary>Set by EventBridge on events replayed from an archive (StartReplay).</summary>
    [JsonPropertyName("replay-name")]
    public string? ReplayName { get; init; }
}
