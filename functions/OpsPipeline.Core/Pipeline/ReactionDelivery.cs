using System.Security.Cryptography;
using System.Text;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Core.Pipeline;

/// <summary>
/// A reaction as the state machine's deliveries Map takes it: channel = its kind (the Map's Choice routes it to that
/// kind's integration), receiver = the reaction's name, action <c>react</c>, the rendered input as the payload. The
/// execution name and client token derive from the run's id, so a retry or a replayed execution starts it at most once.
/// </summary>
public static class ReactionDelivery
{
    public const string Action = "react";

    public static Delivery Of(Reaction reaction)
    {
        ArgumentNullException.ThrowIfNull(reaction);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{reaction.Name}\n{reaction.RunId}"));
        var token = new Guid(hash.AsSpan(0, 16)).ToString();
        var name = ExecutionName(reaction.Name, Convert.ToHexStringLower(hash.AsSpan(0, 12)));
        return new Delivery
        {
            Receiver = reaction.Name,
            Channel = reaction.Kind.Wire(),
            Action = Action,
            AlertKey = reaction.AlertKey,
            DedupKey = name,
            Target = new DeliveryTarget
            {
                Arn = reaction.Kind == ReactionKind.SsmAutomation ? null : reaction.Target,
                DocumentName = reaction.Kind == ReactionKind.SsmAutomation ? reaction.Target : null,
                DetailType = reaction.DetailType,
                DestinationArn = reaction.DestinationArn,
                ExecutionName = name,
                ClientToken = token,
                Run = TimesOf(reaction),
            },
            PayloadUtf8 = Encoding.UTF8.GetBytes(reaction.Input),
            Essential = true,
        };
    }

    /// <summary>
    /// The alert's notifications in the same decision say what the pipeline did about it, at the end of their summary:
    /// <c>auto-reaction restart-orders started (execution restart-orders-…)</c>, or that the hourly cap stopped it.
    /// </summary>
    public static IReadOnlyList<Notification> Told(IReadOnlyList<Notification> notifications, IReadOnlyList<Reaction> reactions, IReadOnlyList<Reaction> capped)
    {
        if (reactions.Count == 0 && capped.Count == 0)
        {
            return notifications;
        }

        var told = string.Join("; ", reactions.Select(r => $"auto-reaction {r.Name} started (execution {Of(r).DedupKey})")
            .Concat(capped.Select(r => $"auto-reaction {r.Name} not run: its maxPerHour was reached across alerts this hour")));
        var keys = reactions.Concat(capped).Select(r => r.AlertKey).ToHashSet(StringComparer.Ordinal);
        return [.. notifications.Select(n => keys.Contains(n.Alert.Key) ? n with { Alert = n.Alert with { Summary = $"{n.Alert.Summary} — {told}" } } : n)];
    }

    /// <summary>
    /// When the Tick first looks at the run: at once for kinds whose task has the answer (a lambda's, an event put);
    /// a minute on for a move task or an automation (it asks SQS or SSM); at the deadline for a state machine, whose
    /// status-change event reports sooner.
    /// </summary>
    private static ReactionRunTimes TimesOf(Reaction reaction)
    {
        var reportBy = reaction.DecidedAt + reaction.OutcomeWithin;
        var checkAt = reaction.Kind switch
        {
            ReactionKind.Lambda or ReactionKind.EventBridge => reaction.DecidedAt,
            ReactionKind.StepFunctions => reportBy,
            _ => reaction.DecidedAt + ReactionOutcomes.CheckInterval,
        };
        return new ReactionRunTimes(
            reaction.Target,
            StoredTime.Format(reaction.DecidedAt),
            StoredTime.Format(checkAt),
            StoredTime.Format(reportBy),
            (reportBy + TimeSpan.FromDays(1)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A Step Functions execution name: [A-Za-z0-9-_], at most 80 characters, the reaction's name then the run's hash.</summary>
    private static string ExecutionName(string reaction, string hash)
    {
        var safe = new string([.. reaction.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        return $"{safe[..Math.Min(safe.Length, 80 - hash.Length - 1)]}-{hash}";
    }
}
