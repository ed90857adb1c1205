namespace OpsPipeline.Core.Configuration;

/// <summary>
/// Which template parameter grants each reaction kind's target (template.yaml: the state machine may call exactly the
/// ARNs those parameters list). A reaction whose target is not listed would be refused by IAM at its first run.
/// </summary>
public static class ReactionGrants
{
    public static string ParameterOf(ReactionKind kind) => kind switch
    {
        ReactionKind.Lambda => "ReactionFunctionArns",
        ReactionKind.StepFunctions => "ReactionStateMachineArns",
        ReactionKind.SsmAutomation => "ReactionAutomationArns",
        ReactionKind.EventBridge => "ReactionEventBusArns",
        ReactionKind.SqsRedrive => "ReactionRedriveQueueArns",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public const string RedriveDestinations = "ReactionRedriveDestinationArns";

    /// <summary>Every template parameter that grants reaction targets.</summary>
    public static readonly IReadOnlyList<string> TemplateParameters =
        [.. Enum.GetValues<ReactionKind>().Select(ParameterOf), RedriveDestinations];

    /// <summary>One line per reaction target the parameters do not grant, naming the reaction, the field and the parameter.</summary>
    public static IReadOnlyList<string> Ungranted(PipelineConfig config, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(parameters);
        IReadOnlyList<string> Listed(string parameter) =>
            parameters.TryGetValue(parameter, out var value) ? [.. value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0)] : [];

        var errors = new List<string>();
        for (var i = 0; i < config.Reactions.Count; i++)
        {
            var reaction = config.Reactions[i];
            var kind = reaction.Action.Kind;
            var parameter = ParameterOf(kind);
            var granted = kind == ReactionKind.SsmAutomation
                ? Listed(parameter).Any(arn => arn.Contains($":automation-definition/{reaction.Action.Target}:", StringComparison.Ordinal))
                : Listed(parameter).Contains(reaction.Action.Target, StringComparer.Ordinal);
            if (!granted)
            {
                errors.Add($"reactions[{i}] ({reaction.Name}): action.{kind.Wire()} target {reaction.Action.Target} is not granted: add it to the template parameter {parameter} (samconfig.toml parameter_overrides), or the state machine's call is refused");
            }

            if (reaction.Action.DestinationArn is { } destination && !Listed(RedriveDestinations).Contains(destination, StringComparer.Ordinal))
            {
                errors.Add($"reactions[{i}] ({reaction.Name}): action.sqsRedrive.destinationArn {destination} is not granted: add it to the template parameter {RedriveDestinations} (samconfig.toml parameter_overrides), or the move task cannot send to it");
            }
        }

        return errors;
    }
}
