using System.Globalization;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// How a started reaction is going, asked of the service running it: an SQS message move task by its source queue
/// (ListMessageMoveTasks, the latest ten), an SSM Automation execution by its id (GetAutomationExecution). A state
/// machine's run reports through its status-change event instead, and a lambda's answer or an event put is known when
/// the task ends, so neither is asked. The clients are made on first use: only a Tick with such a run pays for them.
/// </summary>
public sealed class AwsReactionStatus(Func<IAmazonSQS> sqs, Func<IAmazonSimpleSystemsManagement> ssm) : IReactionStatus
{
    private readonly Lazy<IAmazonSQS> _sqs = new(sqs);
    private readonly Lazy<IAmazonSimpleSystemsManagement> _ssm = new(ssm);

    public async Task<ReactionOutcome?> CheckAsync(ReactionRunRecord run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Handle is not { } handle)
        {
            return null;
        }

        switch (run.Kind)
        {
            case "sqsRedrive" when run.Target is { } source:
                var tasks = await _sqs.Value.ListMessageMoveTasksAsync(new ListMessageMoveTasksRequest { SourceArn = source, MaxResults = 10 }, ct).ConfigureAwait(false);
                return tasks.Results?.FirstOrDefault(t => t.TaskHandle == handle) is { } task ? MoveTask(task.Status, task.ApproximateNumberOfMessagesMoved, task.FailureReason) : null;
            case "ssmAutomation":
                var execution = (await _ssm.Value.GetAutomationExecutionAsync(new GetAutomationExecutionRequest { AutomationExecutionId = handle }, ct).ConfigureAwait(false)).AutomationExecution;
                return Automation(execution?.AutomationExecutionStatus?.Value, execution?.FailureMessage);
            default:
                return null;
        }
    }

    /// <summary>A move task's status (RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED) as an outcome; null while it runs.</summary>
    public static ReactionOutcome? MoveTask(string? status, long? moved, string? failure) => status switch
    {
        "COMPLETED" => new ReactionOutcome(ReactionResult.Succeeded, string.Create(CultureInfo.InvariantCulture, $"moved {moved ?? 0} message(s)")),
        "FAILED" => new ReactionOutcome(ReactionResult.Failed, string.IsNullOrEmpty(failure) ? "the move task failed" : failure),
        "CANCELLED" => new ReactionOutcome(ReactionResult.Failed, string.Create(CultureInfo.InvariantCulture, $"the move task was cancelled after {moved ?? 0} message(s)")),
        _ => null,
    };

    /// <summary>An automation's status as an outcome; null while it is pending, running, waiting or being cancelled.</summary>
    public static ReactionOutcome? Automation(string? status, string? failure) => status switch
    {
        "Success" or "CompletedWithSuccess" => new ReactionOutcome(ReactionResult.Succeeded),
        "TimedOut" => new ReactionOutcome(ReactionResult.TimedOut, string.IsNullOrEmpty(failure) ? "the automation timed out" : failure),
        "Failed" or "CompletedWithFailure" or "Rejected" or "Exited" => new ReactionOutcome(ReactionResult.Failed, string.IsNullOrEmpty(failure) ? $"the automation ended {status}" : failure),
        "Cancelled" => new ReactionOutcome(ReactionResult.Failed, "the automation was cancelled"),
        _ => null,
    };
}
