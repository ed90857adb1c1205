using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OpsPipeline.Core.Events.Internal;

/// <summary>Words for JSON kinds and values in error messages.</summary>
internal static class JsonKinds
{
    /// <summary>Values quoted in messages are cut here: a message names the problem, it does not echo the payload.</summary>
    private const int MaxQuoted = 64;

    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>What a value of <paramref name="info"/>'s type looks like in JSON.</summary>
    public static string Expected(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(DateTimeOffset))
        {
            return "a timestamp string";
        }

        if (type == typeof(bool))
        {
            return "a boolean";
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(decimal))
        {
            return "a number";
        }

        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Object => "an object",
            _ => "a different kind of value",
        };
    }

    public static string Quote(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var oneLine = value.ReplaceLineEndings(" ");
        return oneLine.Length <= MaxQuoted ? oneLine : string.Concat(oneLine.AsSpan(0, MaxQuoted), "…");
    }
}
