using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Pipeline;

/// <summary>
/// The Tick's reaction phase: the runs whose outcome is known or due. What the state machine recorded (a lambda's
/// answer, an event put, a start that failed, a state machine's end that Decide recorded from its status event), what
/// SQS or SSM answer for a run still going, or timed out past its deadline. Each is told once to the alert's receivers:
/// the run is marked told first, conditionally, so two ticks never both tell it.
/// </summary>
public sealed class ReactionOutcomes(PipelineConfig config, AlertPipeline pipeline, PipelinePorts ports)
{
    /// <summary>How often the Tick asks SQS or SSM how a started run is going.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    public async Task<List<Delivery>> TellAsync(IReadOnlyList<ReactionRunRecord> runs, DateTimeOffset now, List<string> path, CancellationToken ct)
    {
        var deliveries = new List<Delivery>();
        foreach (var run in runs)
        {
            try
            {
                var outcome = ReactionOutcome.Recorded(run) ?? await AskAsync(run, path, ct).ConfigureAwait(false) ?? (now >= run.ReportBy ? ReactionOutcome.TimedOut(run) : null);
                if (outcome is null)
                {
                    var again = now + CheckInterval;
                    await ports.Reactions.CheckAgainAsync(run, again < run.ReportBy ? again : run.ReportBy, ct).ConfigureAwait(false);
                    continue;
                }

                if (!await ports.Reactions.TryTellOutcomeAsync(run, outcome, now, ct).ConfigureAwait(false))
                {
                    continue;
                }

                var (alertName, receivers) = await ReceiversOfAsync(run.AlertKey, ct).ConfigureAwait(false);
                deliveries.AddRange(receivers.Select(r => ReactionOutcomeNotice.Render(r, run, outcome, alertName)));
                path.Add($"reaction {run.Reaction} ({run.AlertKey}): {outcome.Word}{(outcome.Detail is null ? string.Empty : $" ({outcome.Detail})")}: told {string.Join(", ", receivers.Select(r => r.Name))}");
            }
            catch (Exception e) when (ports.Faults.IsStoreFailure(e))
            {
                path.Add($"reaction {run.Reaction} ({run.AlertKey}): outcome not recorded ({ports.Faults.Describe(e)}): the next tick tells it");
            }
        }

        return deliveries;
    }

    /// <summary>The service's answer for a run still going; a failure to ask is a line of the path, and the next tick asks again.</summary>
    private async Task<ReactionOutcome?> AskAsync(ReactionRunRecord run, List<string> path, CancellationToken ct)
    {
        try
        {
            return await ports.ReactionStatus.CheckAsync(run, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            path.Add($"reaction {run.Reaction} ({run.AlertKey}): its status could not be read ({e.GetType().Name}: {Rendering.UntrustedText.OneLine(e.Message)}): asked again next tick");
            return null;
        }
    }

    /// <summary>The alert's name and its receivers (its routes, as its notifications go); the root route's when its state is gone.</summary>
    private async Task<(string Name, IReadOnlyList<ReceiverConfig> Receivers)> ReceiversOfAsync(string alertKey, CancellationToken ct)
    {
        var (state, _) = await ports.AlertStates.GetAsync(alertKey, withSources: false, ct).ConfigureAwait(false);
        var alert = state?.AlertJson is { } json ? Alerts.AlertCloudEvent.FromJson(json) : null;
        var routes = alert is null ? [pipeline.Settings.Routes.Root] : pipeline.Settings.Routes.Match(alert.Labels);
        var receivers = Notification.DistinctReceivers(routes).Select(r => config.FindReceiver(r.Receiver)).OfType<ReceiverConfig>().ToList();
        return (alert?.Name ?? alertKey, receivers);
    }
}
