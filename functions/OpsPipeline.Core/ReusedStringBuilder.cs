using System.Text;

namespace OpsPipeline.Core;

/// <summary>
/// One StringBuilder per thread for text built once per event (alert summaries, SNS messages): a fresh builder
/// regrew its buffer every time. <see cref="Take"/> hands the thread's builder out and a nested caller gets a
/// new one, so two users never share it; <see cref="Return"/> keeps it unless one very long text grew it.
/// </summary>
internal static class ReusedStringBuilder
{
    private const int InitialCapacity = 4096;

    /// <summary>A builder that grew past this is dropped rather than kept for the thread's life.</summary>
    private const int MaxKeptCapacity = 16 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_cached;

    /// <summary>An empty builder, the thread's own when it is free.</summary>
    public static StringBuilder Take()
    {
        var builder = t_cached ?? new StringBuilder(InitialCapacity);
        t_cached = null;
        return builder.Clear();
    }

    /// <summary>Gives <paramref name="builder"/> back for the thread's next <see cref="Take"/>; its text must have been read.</summary>
    public static void Return(StringBuilder builder)
    {
        if (builder.Capacity <= MaxKeptCapacity)
        {
            t_cached = builder;
        }
    }
}
