namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// The pipeline table's key, index and TTL attribute names, as template.yaml's AlertTable declares them: the adapters
/// and the local stack use these, and a deployment test holds them equal to the template.
/// </summary>
public static class TableSchema
{
    /// <summary>The table's partition key (HASH, string).</summary>
    public const string PartitionKey = "pk";

    /// <summary>The table's sort key (RANGE, string).</summary>
    public const string SortKey = "sk";

    /// <summary>The sparse, keys-only index of items with time-based work left.</summary>
    public const string DueIndex = "due";

    /// <summary>The due index's partition key (HASH, string): which kind of due work (<see cref="DueShard"/>).</summary>
    public const string DueShard = "dueShard";

    /// <summary>The due index's sort key (RANGE, string): when the work is due, as a sortable UTC time.</summary>
    public const string DueAt = "dueAt";

    /// <summary>The TTL attribute (epoch seconds): garbage collection only, never relied on by a decision.</summary>
    public const string ExpiresAt = "expiresAt";
}
