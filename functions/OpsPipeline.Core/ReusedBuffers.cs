using System.Buffers;
using System.Text;

namespace OpsPipeline.Core;

/// <summary>
/// One StringBuilder and one byte buffer per thread, for text and JSON built once per event (alert summaries, SNS
/// messages, alert CloudEvents): a fresh one regrew its buffer every time. A take hands the thread's own out and a
/// nested caller gets a new one, so two users never share it; <c>Return</c> keeps it unless one very large text grew it.
/// </summary>
internal static class ReusedBuffers
{
    private const int InitialCapacity = 4096;

    /// <summary>A builder that grew past this many characters is dropped rather than kept for the thread's life.</summary>
    public const int MaxKeptTextCapacity = 16 * 1024;

    /// <summary>A byte buffer that grew past this is dropped rather than kept for the thread's life.</summary>
    public const int MaxKeptByteCapacity = 256 * 1024;

    /// <summary>An empty builder, the thread's own when it is free.</summary>
    public static StringBuilder TakeText() => Take(static () => new StringBuilder(InitialCapacity)).Clear();

    /// <summary>Gives <paramref name="text"/> back for the thread's next <see cref="TakeText"/>; its text must have been read.</summary>
    public static void Return(StringBuilder text) => Keep(text, text.Capacity <= MaxKeptTextCapacity);

    /// <summary>An empty byte buffer, the thread's own when it is free.</summary>
    public static ArrayBufferWriter<byte> TakeBytes()
    {
        var bytes = Take(static () => new ArrayBufferWriter<byte>(InitialCapacity));
        bytes.ResetWrittenCount();
        return bytes;
    }

    /// <summary>Gives <paramref name="bytes"/> back for the thread's next <see cref="TakeBytes"/>; what it holds must have been read.</summary>
    public static void Return(ArrayBufferWriter<byte> bytes) => Keep(bytes, bytes.Capacity <= MaxKeptByteCapacity);

    private static T Take<T>(Func<T> create)
        where T : class
    {
        var item = Slot<T>.Cached ?? create();
        Slot<T>.Cached = null;
        return item;
    }

    private static void Keep<T>(T item, bool small)
        where T : class
    {
        if (small)
        {
            Slot<T>.Cached = item;
        }
    }

    private static class Slot<T>
        where T : class
    {
        [ThreadStatic]
        public static T? Cached;
    }
}
