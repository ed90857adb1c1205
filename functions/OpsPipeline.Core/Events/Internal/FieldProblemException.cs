using System.Text.Json;

namespace OpsPipeline.Core.Events.Internal;

/// <summary>
/// Thrown by our converters with the problem only ("'x' is not a timestamp"); System.Text.Json fills in
/// <see cref="JsonException.Path"/> and <see cref="EventParser"/> turns both into an <see cref="InvalidEventException"/>.
/// </summary>
internal sealed class FieldProblemException(string problem) : JsonException(problem)
{
    public string Problem { get; } = problem;
}
