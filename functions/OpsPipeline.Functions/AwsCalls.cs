namespace OpsPipeline.Functions;

/// <summary>What an AWS call acts on, as the template names it.</summary>
public enum AwsResource
{
    /// <summary>The pipeline table (AlertTable).</summary>
    Table,

    /// <summary>The table's sparse "due" index.</summary>
    DueIndex,

    /// <summary>An SSM parameter under the SecretsPrefix parameter (receiver secrets).</summary>
    SecretParameter,

    /// <summary>A dead-letter queue a redrive reaction moves messages from (the ReactionRedriveQueueArns parameter).</summary>
    ReactionRedriveQueue,

    /// <summary>An SSM Automation execution a reaction started (automation-execution/ID).</summary>
    AutomationExecution,
}

/// <summary>
/// One AWS API call a function makes, and the adapter methods that make it; <see cref="OnlyWhen"/> names the template
/// condition under which it is made and granted (a reaction kind's targets given), null for always.
/// </summary>
public sealed record AwsCall(string Action, AwsResource Resource, string MadeBy, string? OnlyWhen = null);

/// <summary>
/// The one list of the AWS calls each function makes (by its logical id in template.yaml). Tests hold it against the
/// function's policy in both directions (no call without a grant, no grant without a call), and against what the
/// functions really call in the strict local stack (no call that is not on this list).
/// </summary>
public static class AwsCalls
{
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<AwsCall>> ByFunction = new Dictionary<string, IReadOnlyList<AwsCall>>(StringComparer.Ordinal)
    {
        ["DecideFunction"] =
        [
            new("dynamodb:GetItem", AwsResource.Table, "DynamoAlertStateStore.GetAsync, BudgetStore.GetAsync"),
            new("dynamodb:BatchGetItem", AwsResource.Table, "DynamoAlertStateStore.ReadAsync (an inhibit target reads the firing sources, a grouped alert its groups' last notices, with its state)"),
            new("dynamodb:PutItem", AwsResource.Table, "DynamoAlertStateStore.TryWriteAsync, BudgetStore.TryWriteAsync, DrillReportStore.AppendAsync, DynamoAlertStateStore.UpdateSourceAsync"),
            new("dynamodb:UpdateItem", AwsResource.Table, "DynamoAlertStateStore.UpdateSourceAsync, FloodGuardStore.HoldAsync, ReactionLedgerStore.TryCountAsync"),
            new("dynamodb:Query", AwsResource.Table, "DynamoSilenceStore.ListAsync"),
        ],
        ["TickFunction"] =
        [
            new("dynamodb:GetItem", AwsResource.Table, "DynamoAlertStateStore.SourcesAsync, BudgetStore.GetAsync"),
            new("dynamodb:BatchGetItem", AwsResource.Table, "DynamoAlertStateStore.DueAsync, DynamoAlertStateStore.GroupMembersAsync, ReactionLedgerStore.RunsDueAsync (DynamoPages.BatchGetAllAsync)"),
            new("dynamodb:PutItem", AwsResource.Table, "DynamoAlertStateStore.TryWriteAsync, BudgetStore.TryWriteAsync"),
            new("dynamodb:UpdateItem", AwsResource.Table, "FloodGuardStore.HoldAsync, FloodGuardStore.TakeDueAsync, DeferredDeliveryStore.TakeDueAsync (its claim), DynamoAlertStateStore.NoteGroupsAsync, ReactionLedgerStore.TryTellOutcomeAsync, ReactionLedgerStore.CheckAgainAsync"),
            new("dynamodb:DeleteItem", AwsResource.Table, "DeferredDeliveryStore.TakeDueAsync"),
            new("dynamodb:Query", AwsResource.Table, "DynamoSilenceStore.ListAsync"),
            new("dynamodb:Query", AwsResource.DueIndex, "DynamoAlertStateStore.DueAsync, DeferredDeliveryStore.TakeDueAsync, FloodGuardStore.TakeDueAsync, ReactionLedgerStore.RunsDueAsync"),
            new("sqs:ListMessageMoveTasks", AwsResource.ReactionRedriveQueue, "AwsReactionStatus.CheckAsync", OnlyWhen: "RedrivesQueues"),
            new("ssm:GetAutomationExecution", AwsResource.AutomationExecution, "AwsReactionStatus.CheckAsync", OnlyWhen: "ReactsWithAutomation"),
        ],
        ["DeliverFunction"] =
        [
            new("ssm:GetParameter", AwsResource.SecretParameter, "SsmSecretStore.GetAsync"),
            new("dynamodb:PutItem", AwsResource.Table, "DeferredDeliveryStore.PutAsync"),
            new("dynamodb:UpdateItem", AwsResource.Table, "FloodGuardStore.TryCountAsync, FloodGuardStore.HoldAsync"),
        ],
        ["DlqEnrichFunction"] =
        [
            new("dynamodb:PutItem", AwsResource.Table, "ParkedBodyStore.PutAsync"),
        ],
    };
}
