using System.Globalization;

namespace OpsPipeline.Core.Ports;

/// <summary>
/// How the table stores a time as a string (due index, reaction runs): UTC, milliseconds, sortable as text. The state
/// machine writes reaction runs with times Decide formatted this way, so every writer agrees.
/// </summary>
public static class StoredTime
{
    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
