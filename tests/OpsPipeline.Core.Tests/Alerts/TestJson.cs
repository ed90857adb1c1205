using System.Text.Json.Serialization;

namespace OpsPipeline.Core.Tests.Alerts;

/// <summary>Source-generated JSON for test inputs (strings that need escaping).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class TestJson : JsonSerializerContext;
