using System.Text.Json.Serialization;

namespace OpsPipeline.Core.Events;

/// <summary>
/// Source-generated metadata for CloudWatch events as AWS sends them: names via JsonPropertyName, exact case,
/// AWS timestamps, nesting capped at <see cref="EventParser.MaxDepth"/>.
/// </summary>
[JsonSourceGenerationOptions(
    AllowDuplicateProperties = false,
    MaxDepth = EventParser.MaxDepth,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(AwsTimestampConverter)])]
[JsonSerializable(typeof(EventBridgeEvent<CloudWatchAlarmDetail>))]
[JsonSerializable(typeof(AlarmReasonDataFields))]
public sealed partial class CloudWatchJsonContext : JsonSerializerContext;
