using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsPipeline.Core.Events;

/// <summary>
/// <c>state.reasonData</c>: a JSON document CloudWatch sends inside a JSON string. <see cref="Raw"/> is the text
/// as sent; the typed fields are parsed on first use (most events never need them, and the parse is the
/// costliest part of reading an event). Text that is not a JSON object of the expected shape leaves
/// <see cref="IsParsed"/> false and every field null: an odd reasonData never fails an event.
/// </summary>
public sealed class AlarmReasonData : IEquatable<AlarmReasonData>
{
    private AlarmReasonDataFields? _fields;
    private volatile bool _read;

    public AlarmReasonData(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        Raw = raw;
    }

    /// <summary>The reasonData text exactly as it arrived.</summary>
    public string Raw { get; }

    /// <summary>True when <see cref="Raw"/> is a JSON object of the documented shape.</summary>
    public bool IsParsed => Fields is not null;

    /// <summary>The parsed document, or null when <see cref="Raw"/> is not one.</summary>
    public AlarmReasonDataFields? Fields
    {
        get
        {
            // A race parses twice and keeps either result: both are equal, so no lock.
            if (!_read)
            {
                _fields = Parse(Raw);
                _read = true;
            }

            return _fields;
        }
    }

    public string? Version => Fields?.Version;

    public DateTimeOffset? QueryDate => Fields?.QueryDate;

    public DateTimeOffset? StartDate => Fields?.StartDate;

    public string? Statistic => Fields?.Statistic;

    public string? Unit => Fields?.Unit;

    public int? Period => Fields?.Period;

    public IReadOnlyList<double>? RecentDatapoints => Fields?.RecentDatapoints;

    public double? Threshold => Fields?.Threshold;

    /// <summary>Anomaly detection: the band's lower edge for each recent datapoint.</summary>
    public IReadOnlyList<double>? RecentLowerThresholds => Fields?.RecentLowerThresholds;

    public IReadOnlyList<double>? RecentUpperThresholds => Fields?.RecentUpperThresholds;

    public IReadOnlyList<EvaluatedDatapoint>? EvaluatedDatapoints => Fields?.EvaluatedDatapoints;

    /// <summary>Composite alarms: the child alarms whose state decided this transition.</summary>
    public IReadOnlyList<TriggeringAlarm>? TriggeringAlarms => Fields?.TriggeringAlarms;

    public bool Equals(AlarmReasonData? other) => other is not null && string.Equals(Raw, other.Raw, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as AlarmReasonData);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Raw);

    public override string ToString() => Raw;

    private static AlarmReasonDataFields? Parse(string raw)
    {
        var trimmed = raw.AsSpan().TrimStart();
        if (trimmed.IsEmpty || trimmed[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(raw, CloudWatchJsonContext.Default.AlarmReasonDataFields);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The typed content of reasonData: datapoints and thresholds, anomaly bands, composite triggers.</summary>
public sealed record AlarmReasonDataFields
{
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("queryDate")]
    public DateTimeOffset? QueryDate { get; init; }

    [JsonPropertyName("startDate")]
    public DateTimeOffset? StartDate { get; init; }

    [JsonPropertyName("statistic")]
    public string? Statistic { get; init; }

    [JsonPropertyName("unit")]
    public string? Unit { get; init; }

    [JsonPropertyName("period")]
    public int? Period { get; init; }

    [JsonPropertyName("recentDatapoints")]
    public IReadOnlyList<double>? RecentDatapoints { get; init; }

    [JsonPropertyName("threshold")]
    public double? Threshold { get; init; }

    [JsonPropertyName("recentLowerThresholds")]
    public IReadOnlyList<double>? RecentLowerThresholds { get; init; }

    [JsonPropertyName("recentUpperThresholds")]
    public IReadOnlyList<double>? RecentUpperThresholds { get; init; }

    [JsonPropertyName("evaluatedDatapoints")]
    public IReadOnlyList<EvaluatedDatapoint>? EvaluatedDatapoints { get; init; }

    [JsonPropertyName("triggeringAlarms")]
    public IReadOnlyList<TriggeringAlarm>? TriggeringAlarms { get; init; }
}

/// <summary>A child alarm named in a composite alarm's reasonData.</summary>
public sealed record TriggeringAlarm
{
    [JsonPropertyName("arn")]
    public string? Arn { get; init; }

    [JsonPropertyName("state")]
    public TriggeringAlarmState? State { get; init; }

    /// <summary>The alarm name: what follows <c>:alarm:</c> in the ARN (the ARN itself if it has no such part).</summary>
    [JsonIgnore]
    public string? Name
    {
        get
        {
            if (Arn is null)
            {
                return null;
            }

            var at = Arn.IndexOf(":alarm:", StringComparison.Ordinal);
            return at < 0 ? Arn : Arn[(at + ":alarm:".Length)..];
        }
    }
}

/// <summary>A child alarm's state at the time the composite alarm was evaluated.</summary>
public sealed record TriggeringAlarmState
{
    [JsonPropertyName("value")]
    public string? Value { get; init; }

    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>One datapoint CloudWatch evaluated (present in some metric alarms' reasonData).</summary>
public sealed record EvaluatedDatapoint
{
    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; init; }

    [JsonPropertyName("sampleCount")]
    public double? SampleCount { get; init; }

    [JsonPropertyName("value")]
    public double? Value { get; init; }

    [JsonPropertyName("threshold")]
    public double? Threshold { get; init; }
}

/// <summary>
/// Reads reasonData whatever its JSON kind: a string (the documented shape) as its text, an embedded object
/// or any other value as its raw JSON. Nothing is parsed here. Writes it back as the string it was.
/// </summary>
public sealed class AlarmReasonDataConverter : JsonConverter<AlarmReasonData>
{
    public override AlarmReasonData? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new AlarmReasonData(reader.GetString()!);
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                using (var doc = JsonDocument.ParseValue(ref reader))
                {
                    return new AlarmReasonData(doc.RootElement.GetRawText());
                }

            default:
                return new AlarmReasonData(Encoding.UTF8.GetString(reader.ValueSpan));
        }
    }

    public override void Write(Utf8JsonWriter writer, AlarmReasonData value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Raw);
}
