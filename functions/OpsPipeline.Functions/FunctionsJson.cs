using System.Text.Json;
using System.Text.Json.Serialization;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Pipeline;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions;

/// <summary>Source-generated JSON for the handlers' contracts (camelCase, matched by the ASL paths).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DecideResult))]
[JsonSerializable(typeof(DeliverResult))]
[JsonSerializable(typeof(Delivery))]
[JsonSerializable(typeof(DeliverInput))]
[JsonSerializable(typeof(NotifyTestInput))]
[JsonSerializable(typeof(NotifyTestOutput))]
[JsonSerializable(typeof(NotifyTestResult))]
public sealed partial class FunctionsJsonContext : JsonSerializerContext;

/// <summary>Reading the handlers' inputs.</summary>
public static class FunctionsJson
{
    /// <summary>Deliver's input when it is `opsctl notify test` ({"notifyTest": {...}}); null for a delivery.</summary>
    public static NotifyTestRequest? ReadNotifyTest(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("notifyTest", out var inner) && inner.ValueKind == JsonValueKind.Object
                ? document.RootElement.Deserialize(FunctionsJsonContext.Default.NotifyTestInput)?.NotifyTest
                : null;
        }
        catch (JsonException)
        {
            return null; // reported as a delivery that is not valid JSON
        }
    }

    /// <summary>Deliver's input: {delivery, executionStartedAt} from the state machine, or a bare delivery (a redrive).</summary>
    public static (Delivery Delivery, DateTimeOffset? StartedAt) ReadDeliverInput(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("delivery", out var inner) && inner.ValueKind == JsonValueKind.Object)
            {
                var input = document.RootElement.Deserialize(FunctionsJsonContext.Default.DeliverInput)
                    ?? throw new PermanentDeliveryException("delivery: null input");
                return (input.Delivery, input.ExecutionStartedAt);
            }

            return (JsonSerializer.Deserialize(bytes, FunctionsJsonContext.Default.Delivery) ?? throw new PermanentDeliveryException("delivery: null input"), null);
        }
        catch (JsonException e)
        {
            throw new PermanentDeliveryException($"delivery is not valid JSON: {e.Path}: {e.Message}");
        }
    }
}
