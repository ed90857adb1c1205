using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Decisions;

/// <summary>What a delivery does for its alert.</summary>
public static class DeliveryActions
{
    public const string Trigger = "trigger";
    public const string Resolve = "resolve";
    public const string Repeat = "repeat";
    public const string Flapping = "flapping";
    public const string Digest = "digest";
    public const string Budget = "budget";
    public const string Dlq = "dlq";

    /// <summary>The flood guard's summary of what it held for a receiver.</summary>
    public const string Flood = "flood";

    /// <summary>How an automatic reaction ended (succeeded, failed, timed out), told once to the alert's receivers.</summary>
    public const string ReactionOutcome = "reaction-outcome";

    /// <summary>`opsctl notify test`: a message marked [TEST] that checks a receiver's wiring; never from an alarm.</summary>
    public const string Test = "test";
}

/// <summary>
/// One outbound notification, produced by Decide and sent by the state machine's Map.
/// The JSON shape (camelCase) is a contract with statemachines/alert-pipeline.asl.json:
/// <c>$.channel</c>, <c>$.target.topicArn</c>, <c>$.subject</c>, <c>$.payload</c>.
/// For SNS, <see cref="Payload"/> is a JSON string (the message); otherwise the exact JSON body.
/// PagerDuty bodies carry no routing_key: Deliver adds it from <see cref="DeliveryTarget.Parameter"/>.
/// The body is kept as the UTF-8 text the renderer wrote (<see cref="PayloadUtf8"/>, what is serialized and
/// sent); <see cref="Payload"/> parses it on first use, which Decide itself never needs.
/// </summary>
public sealed record Delivery
{
    private ReadOnlyMemory<byte> _payloadUtf8;
    private StrongBox<JsonElement>? _payload; // a reference, so a racing first read never sees half a JSON element

    public required string Receiver { get; init; }

    public required string Channel { get; init; }

    public required string Action { get; init; }

    public required string AlertKey { get; init; }

    public required string DedupKey { get; init; }

    public bool Drill { get; init; }

    public required DeliveryTarget Target { get; init; }

    /// <summary>
    /// The first notification of its alert's episode (or of a group, a burn-rate page, a flood notice): the flood
    /// guard counts it but never holds it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Essential { get; init; }

    /// <summary>How often this delivery was put off to a later tick because its receiver asked to wait (bounded by Deliver).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Deferrals { get; init; }

    /// <summary>SNS subject (at most 100 characters); null for other channels.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Subject { get; init; }

    /// <summary>The body as a JSON value: parsed from <see cref="PayloadUtf8"/> on first use.</summary>
    [JsonIgnore]
    public JsonElement Payload
    {
        get
        {
            if (_payload is { } parsed)
            {
                return parsed.Value;
            }

            var element = _payloadUtf8.IsEmpty ? default : JsonElement.Parse(_payloadUtf8.Span);
            _payload = new StrongBox<JsonElement>(element);
            return element;
        }

        init
        {
            _payload = new StrongBox<JsonElement>(value);
            _payloadUtf8 = default;
        }
    }

    /// <summary>The body as UTF-8 JSON text, exactly as written; serialized as <c>payload</c> without re-parsing.</summary>
    [JsonPropertyName("payload")]
    [JsonConverter(typeof(RawJsonConverter))]
    public ReadOnlyMemory<byte> PayloadUtf8
    {
        get => !_payloadUtf8.IsEmpty || _payload is not { Value.ValueKind: not JsonValueKind.Undefined } parsed
            ? _payloadUtf8
            : JsonMarshal.GetRawUtf8Value(parsed.Value).ToArray();
        init
        {
            _payloadUtf8 = value;
            _payload = null;
        }
    }
}

/// <summary>
/// Reads any JSON value as its UTF-8 text and writes such text back as it is: the delivery body passes through
/// Decide's output and Deliver's input without a document built in between.
/// </summary>
public sealed class RawJsonConverter : JsonConverter<ReadOnlyMemory<byte>>
{
    public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return JsonMarshal.GetRawUtf8Value(document.RootElement).ToArray();
    }

    public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options)
    {
        if (value.IsEmpty)
        {
            throw new InvalidOperationException("a delivery without a payload cannot be written");
        }

        // Written by Utf8JsonWriter (renderers) or read whole by Read above: already valid JSON.
        writer.WriteRawValue(value.Span, skipInputValidation: true);
    }
}
