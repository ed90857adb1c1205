using System.Buffers;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Alerts;

/// <summary>
/// An <see cref="Alert"/> as a CloudEvent (structured JSON mode): the one consistent shape in which the
/// pipeline logs and stores each alert. Data is the alert itself, camelCase, source-generated.
/// </summary>
public static class AlertCloudEvent
{
    public const string EventType = "com.serverlessopspipeline.alert.v1";

    /// <summary>Media type of a structured-mode JSON CloudEvent.</summary>
    public const string MediaType = "application/cloudevents+json";

    private static readonly ContentType StructuredContentType = new(MediaType);

    // The formatter serializes Data with these options; their resolver is our generated context, so no reflection.
    private static readonly JsonEventFormatter Formatter = new(AlertJsonContext.Default.Options, new JsonDocumentOptions { MaxDepth = EventParser.MaxDepth });

    public static CloudEvent ToCloudEvent(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Type = EventType,
            Source = SourceOf(alert.Account, alert.Region),
            Id = alert.EventId,
            Time = alert.EventTime,
            Subject = alert.Key,
            DataContentType = MediaTypeNames.Application.Json,
            Data = alert,
        };
    }

    /// <summary><c>/ops-pipeline/{account}/{region}</c>: which deployment of the pipeline produced the alert.</summary>
    public static Uri SourceOf(string account, string region) =>
        new($"/ops-pipeline/{Uri.EscapeDataString(account)}/{Uri.EscapeDataString(region)}", UriKind.Relative);

    /// <summary>Structured-mode JSON bytes (<see cref="MediaType"/>), the same bytes the SDK's formatter writes.</summary>
    public static ReadOnlyMemory<byte> ToJsonBytes(Alert alert)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        Write(alert, buffer);
        return buffer.WrittenMemory;
    }

    /// <summary>
    /// Decide writes one of these per event it applies: written straight to UTF-8 with the generated Alert
    /// serializer, in the formatter's attribute order, with no CloudEvent object, formatter or copy in between.
    /// </summary>
    public static string ToJsonString(Alert alert)
    {
        var buffer = ReusedBuffers.TakeBytes();
        Write(alert, buffer);
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        ReusedBuffers.Return(buffer);
        return json;
    }

    private static void Write(Alert alert, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(alert);
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("specversion", "1.0");
        writer.WriteString("type", EventType);
        writer.WriteString("source", SourceOf(alert.Account, alert.Region).OriginalString);
        writer.WriteString("id", alert.EventId);
        writer.WriteString("time", CloudEventsSpecVersion.V1_0.TimeAttribute.Format(alert.EventTime));
        writer.WriteString("subject", alert.Key);
        writer.WriteString("datacontenttype", MediaTypeNames.Application.Json);
        writer.WritePropertyName("data");
        JsonSerializer.Serialize(writer, alert, AlertJsonContext.Default.Alert);
        writer.WriteEndObject();
    }

    /// <summary>Reads an alert CloudEvent back; throws <see cref="InvalidEventException"/> when it is not one.</summary>
    public static Alert FromJson(ReadOnlyMemory<byte> utf8Json)
    {
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = Formatter.DecodeStructuredModeMessage(utf8Json, StructuredContentType, extensionAttributes: null);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidEventException("(root)", $"(root): not an alert CloudEvent: {ex.Message}", ex);
        }

        return FromCloudEvent(cloudEvent);
    }

    public static Alert FromJson(string json) => FromJson(Encoding.UTF8.GetBytes(json));

    public static Alert FromCloudEvent(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Type != EventType)
        {
            throw new InvalidEventException("type", $"type: expected '{EventType}', got '{cloudEvent.Type}'");
        }

        Alert? alert;
        try
        {
            alert = cloudEvent.Data switch
            {
                Alert a => a,
                JsonElement element => element.Deserialize(AlertJsonContext.Default.Alert),
                _ => null,
            };
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException("data", $"data: not an alert: {ex.Message}", ex);
        }

        if (alert is null)
        {
            throw new InvalidEventException("data", "data: required field is missing");
        }

        // A dictionary read back from JSON keeps document order; the contract is ordinal order.
        return alert.Labels is SortedDictionary<string, string>
            ? alert
            : alert with { Labels = new SortedDictionary<string, string>(alert.Labels.ToDictionary(), StringComparer.Ordinal) };
    }
}

/// <summary>Alert status on the wire: "firing", "resolved", "unknown".</summary>
public sealed class AlertStatusJsonConverter() : JsonStringEnumConverter<AlertStatus>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);

/// <summary>Alarm state on the wire as CloudWatch writes it: "ALARM", "OK", "INSUFFICIENT_DATA".</summary>
public sealed class AlarmStateJsonConverter() : JsonStringEnumConverter<AlarmState>(namingPolicy: null, allowIntegerValues: false);

/// <summary>Alert source on the wire: "cloudwatch", "dlq".</summary>
public sealed class AlertSourceJsonConverter() : JsonStringEnumConverter<AlertSource>(namingPolicy: null, allowIntegerValues: false);

/// <summary>Source-generated JSON for <see cref="Alert"/>: camelCase, nulls left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    MaxDepth = EventParser.MaxDepth,
    Converters = [typeof(AlertStatusJsonConverter), typeof(AlarmStateJsonConverter), typeof(AlertSourceJsonConverter)])]
[JsonSerializable(typeof(Alert))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class AlertJsonContext : JsonSerializerContext;
