using System.Text;

namespace OpsPipeline.Core;

/// <summary>
/// <see cref="ReusedBuffers"/>' builder under its first name, for Rendering's SnsMessage, which is being moved
/// (issue 15): its move calls <see cref="ReusedBuffers.TakeText"/> and deletes this.
/// </summary>
internal static class ReusedStringBuilder
{
    public static StringBuilder Take() => ReusedBuffers.TakeText();

    public static void Return(StringBuilder builder) => ReusedBuffers.Return(builder);
}
