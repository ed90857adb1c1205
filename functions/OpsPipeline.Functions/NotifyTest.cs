using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Notifiers;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions;

/// <summary>Deliver's input for `opsctl notify test`: <c>{"notifyTest": {"receiver": "team", "from": "alice"}}</c>.</summary>
public sealed record NotifyTestInput(NotifyTestRequest NotifyTest);

/// <summary>Which receiver of the deployed config to test, and who asks (shown in the message).</summary>
public sealed record NotifyTestRequest(string Receiver, string? From);

/// <summary>One request of the test and what the receiver answered (Status 0: no answer; Body then says why).</summary>
public sealed record NotifyTestAnswer(string Action, int Status, string Body);

/// <summary>Deliver's output for a notify test: what was sent where and what came back, or why nothing was sent.</summary>
public sealed record NotifyTestResult(string Receiver)
{
    public string? Channel { get; init; }

    public string? Summary { get; init; }

    public IReadOnlyList<NotifyTestAnswer>? Answers { get; init; }

    /// <summary>Why nothing was sent (an unknown receiver, a channel Deliver does not send).</summary>
    public string? Error { get; init; }

    /// <summary>With an unknown receiver: the configured one nearest to the name asked for.</summary>
    public string? Nearest { get; init; }
}

/// <summary>The output's envelope: <c>{"notifyTest": {...}}</c>, as the input's.</summary>
public sealed record NotifyTestOutput(NotifyTestResult NotifyTest);

/// <summary>
/// `opsctl notify test` inside Deliver: a message marked [TEST] to one receiver of the deployed config, sent with
/// Deliver's own sender (the secret read from SSM by Deliver's role, the receiver's real URL), and the receiver's
/// answers returned. No flood guard, no metrics and no state: it is not a notification of any alert.
/// </summary>
public sealed class NotifyTest(PipelineConfig config, Adapters.HttpDeliverySender sender, TimeProvider clock)
{
    public async Task<NotifyTestResult> RunAsync(NotifyTestRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var receiver = config.Receivers.FirstOrDefault(r => string.Equals(r.Name, request.Receiver, StringComparison.Ordinal));
        if (receiver is null)
        {
            return new NotifyTestResult(request.Receiver) { Error = $"no receiver '{request.Receiver}' in the deployed config", Nearest = TestNotice.NearestReceiver(config, request.Receiver) };
        }

        if (receiver.Settings is null || NotifierRegistry.For(receiver.Settings) is not { SentOverHttp: true })
        {
            return new NotifyTestResult(receiver.Name) { Channel = receiver.Channel, Error = $"receiver '{receiver.Name}' is {receiver.Channel}: the state machine publishes to it natively, not Deliver" };
        }

        var at = clock.GetUtcNow();
        var from = request.From ?? "unknown";
        var answers = new List<NotifyTestAnswer>();
        foreach (var delivery in TestNotice.Render(receiver, from, at))
        {
            try
            {
                var answer = await sender.AnswerAsync(delivery, ct).ConfigureAwait(false);
                answers.Add(new NotifyTestAnswer(delivery.Action, answer.Status, answer.Body));
                if (answer.Status is < 200 or >= 300)
                {
                    break; // a rejected trigger has nothing to resolve
                }
            }
            catch (Exception e) when (e is TransientDeliveryException or PermanentDeliveryException or Amazon.Runtime.AmazonServiceException)
            {
                answers.Add(new NotifyTestAnswer(delivery.Action, 0, e is Amazon.Runtime.AmazonServiceException s ? $"reading the secret: {s.ErrorCode}: {s.Message}" : e.Message));
                break;
            }
        }

        return new NotifyTestResult(receiver.Name) { Channel = receiver.Channel, Summary = TestNotice.Summary(from, at), Answers = answers };
    }
}
