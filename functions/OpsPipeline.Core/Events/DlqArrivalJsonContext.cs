using System.Text.Json.Serialization;

namespace OpsPipeline.Core.Events;

/// <summary>
/// Source-generated JSON for DLQ arrivals, as the enricher writes them and the parser reads them back: camelCase
/// names (our own event, not AWS's), nulls left out.
/// </summary>
[JsonSourceGenerationOptions(AllowDuplicateProperties = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DlqArrival))]
[JsonSerializable(typeof(List<DlqArrival>))]
[JsonSerializable(typeof(EventBridgeEvent<DlqArrival>))]
public sealed partial class DlqArrivalJsonContext : JsonSerializerContext;
