namespace OpsPipeline.Core.Decisions;

/// <summary>Names of the decisions Decide can make about one event; stored and printed with a reason.</summary>
public static class DecisionKinds
{
    /// <summary>Deliveries were produced.</summary>
    public const string Notify = "notify";

    /// <summary>Same event id seen before: nothing changes.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Older than the stored transition (out of order): recorded, never notified.</summary>
    public const string Stale = "stale";

    /// <summary>Recorded; no notification is due (same state, first-seen OK, INSUFFICIENT_DATA, no receiver).</summary>
    public const string Recorded = "recorded";

    /// <summary>Replayed event: drill deliveries only, production state untouched.</summary>
    public const string Drill = "drill";
}

/// <summary>The outcome of deciding one event: the state to write (null: write nothing) and what to send.</summary>
public sealed record Decision(string Kind, string Reason, AlertState? NewState, IReadOnlyList<Delivery> Deliveries);
