using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OpsPipeline.Core.Events.Internal;

/// <summary>
/// Turns a <see cref="JsonException"/> raised while binding a (syntactically valid) event into an
/// <see cref="InvalidEventException"/> naming the field: the path comes from the exception, the expected kind
/// from our own type metadata, the actual kind from the document. Runs only on the error path.
/// </summary>
internal static class JsonErrorPath
{
    public static InvalidEventException ToInvalidEvent(JsonException ex, JsonTypeInfo root, ReadOnlySpan<byte> utf8Json)
    {
        var segments = Segments(ex.Path);
        var field = segments.Count == 0 ? "(root)" : string.Join('.', segments.Select(s => s.Name ?? $"[{s.Index}]")).Replace(".[", "[", StringComparison.Ordinal);
        if (ex is FieldProblemException problem)
        {
            return new InvalidEventException(field, $"{field}: {problem.Problem}", ex);
        }

        if (ex.InnerException is InvalidOperationException { InnerException: DecoderFallbackException })
        {
            return new InvalidEventException(field, $"{field}: not valid UTF-8 text", ex);
        }

        var target = TypeInfoAt(root, segments);
        var expected = target is null ? null : JsonKinds.Expected(target);
        var actual = ActualAt(utf8Json, segments);
        var message = expected is null ? $"{field}: has the wrong JSON type"
            : actual is null ? $"{field}: expected {expected}"
            : actual == expected ? $"{field}: {actual} that does not fit {(Nullable.GetUnderlyingType(target!.Type) ?? target.Type).Name}"
            : $"{field}: expected {expected}, got {actual}";
        return new InvalidEventException(field, message, ex);
    }

    /// <summary>STJ paths look like <c>$.detail.state.value</c>, <c>$.resources[0]</c> or <c>$['odd name']</c>.</summary>
    internal static List<Segment> Segments(string? path)
    {
        var result = new List<Segment>();
        if (string.IsNullOrEmpty(path))
        {
            return result;
        }

        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[')
                {
                    end++;
                }

                result.Add(new Segment(path[(i + 1)..end], null));
                i = end;
            }
            else if (i + 1 < path.Length && path[i] == '[' && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    break;
                }

                result.Add(new Segment(path[(i + 2)..end], null));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out var index))
                {
                    break;
                }

                result.Add(new Segment(null, index));
                i = end + 1;
            }
            else
            {
                break;
            }
        }

        return result;
    }

    private static JsonTypeInfo? TypeInfoAt(JsonTypeInfo root, List<Segment> segments)
    {
        var info = root;
        foreach (var segment in segments)
        {
            Type? next = null;
            if (segment.Name is not null && info.Kind == JsonTypeInfoKind.Object)
            {
                next = info.Properties.FirstOrDefault(p => p.Name == segment.Name)?.PropertyType;
            }
            else if (info.Kind is JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary)
            {
                next = info.ElementType;
            }

            if (next is null || info.Options.TypeInfoResolver?.GetTypeInfo(next, info.Options) is not { } nextInfo)
            {
                return null;
            }

            info = nextInfo;
        }

        return info;
    }

    private static string? ActualAt(ReadOnlySpan<byte> utf8Json, List<Segment> segments)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = EventParser.MaxDepth + 1 });
            using var doc = JsonDocument.ParseValue(ref reader);
            var element = doc.RootElement;
            foreach (var segment in segments)
            {
                if (segment.Name is not null && element.ValueKind == JsonValueKind.Object && element.TryGetProperty(segment.Name, out var child))
                {
                    element = child;
                }
                else if (segment.Index is { } index && element.ValueKind == JsonValueKind.Array && index < element.GetArrayLength())
                {
                    element = element[index];
                }
                else
                {
                    return null;
                }
            }

            return JsonKinds.Describe(element.ValueKind);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal readonly record struct Segment(string? Name, int? Index);
}
