namespace OpsPipeline.Core.Events;

/// <summary>
/// The input is not an event this pipeline accepts. Permanent: retrying cannot fix it. The type name is the
/// Step Functions error name that the state machine's Catch matches, so keep it.
/// </summary>
public sealed class InvalidEventException : Exception
{
    /// <param name="field">JSON path of the offending field, e.g. <c>detail.state.value</c>, or <c>(root)</c>.</param>
    /// <param name="message">The whole message; by convention it starts with "<paramref name="field"/>: ".</param>
    public InvalidEventException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    public InvalidEventException(string field, string message, Exception innerException)
        : base(message, innerException)
    {
        Field = field;
    }

    /// <summary>JSON path of the field the message is about (<c>(root)</c> for the body as a whole).</summary>
    public string Field { get; }

    internal static InvalidEventException Missing(string field) => new(field, $"{field}: required field is missing");

    internal static InvalidEventException For(string field, string problem) => new(field, $"{field}: {problem}");
}
