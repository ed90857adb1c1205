using System.Text.Json.Serialization;

namespace OpsPipeline.Core.ErrorBudgets;

/// <summary>Source-generated JSON for budget state (stored as one attribute; read back by the Tick and opsctl budget).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BudgetState))]
public sealed partial class BudgetJsonContext : JsonSerializerContext;
