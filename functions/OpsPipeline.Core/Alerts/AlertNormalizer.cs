using System.Text;
using System.Text.RegularExpressions;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Events;
using OpsPipeline.Core.Masking;

namespace OpsPipeline.Core.Alerts;

/// <summary>Turns a parsed event into the one <see cref="Alert"/> the rest of the pipeline works on.</summary>
public static partial class AlertNormalizer
{
    /// <summary>Summaries are one line; channels truncate further if they must.</summary>
    public const int MaxSummaryLength = 200;


    /// <summary>
    /// A CloudWatch alarm with these label rules. <paramref name="alarmTags"/> names the tags that may become labels
    /// (the config's <c>alarmTags</c>); null, for callers with no config, lets every tag through.
    /// </summary>
    public static Alert Normalize(ParsedEvent e, IReadOnlyList<AlarmLabelRule> labelRules, IReadOnlyList<string>? alarmTags = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(labelRules);
        return e switch
        {
            CloudWatchAlarmEvent alarm => FromAlarm(alarm, labelRules, alarmTags),
            _ => throw new ArgumentException($"no normalization for {e.GetType().Name} ({e.DetailType})", nameof(e)),
        };
    }

    /// <summary>Any event the pipeline accepts: CloudWatch alarms with the config's label rules, DLQ arrivals keyed by dlq.groupBy.</summary>
    public static Alert Normalize(ParsedEvent e, PipelineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return e is DlqArrivalEvent dlq ? FromDlq(dlq, config) : Normalize(e, config.Alarms, config.AlarmTags);
    }

    /// <summary>
    /// A dead-lettered message as an alert: one alert per queue and dlq.groupBy labels (default: the queue), so a
    /// flood of one failure is one alert with a count, and a second error code is a second alert.
    /// </summary>
    private static Alert FromDlq(DlqArrivalEvent e, PipelineConfig config)
    {
        var a = e.Arrival;
        var errorCode = string.IsNullOrWhiteSpace(a.Failure.ErrorCode) ? "unknown" : a.Failure.ErrorCode;
        var builtIn = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["account"] = a.Account,
            ["alarmName"] = a.QueueName,
            ["errorCode"] = errorCode,
            ["failureKind"] = a.Failure.Kind,
            ["queue"] = a.QueueName,
            ["queueArn"] = a.QueueArn,
            ["region"] = a.Region,
            ["source"] = AlertSource.Dlq.Wire(),
            ["state"] = AlarmStateValues.Alarm,
        };
        var labels = new SortedDictionary<string, string>(builtIn, StringComparer.Ordinal);
        foreach (var rule in config.Alarms)
        {
            if (rule.Match.Matches(builtIn))
            {
                foreach (var (k, v) in rule.Labels)
                {
                    labels[k] = v;
                }
            }
        }

        var groupBy = config.Dlq?.GroupBy is { Count: > 0 } g ? g : ["queue"];
        var group = string.Join(",", groupBy.Select(l => $"{l}={(labels.TryGetValue(l, out var v) ? v : string.Empty)}"));
        var reason = CredentialMask.Mask(a.Unreadable is { } why ? "unreadable record: " + why : a.Failure.ErrorMessage is { Length: > 0 } m ? m : null);
        var summary = $"{a.QueueName}: message dead-lettered ({errorCode})" + (reason is null ? string.Empty : ": " + reason);
        var queueUrl = $"https://sqs.{a.Region}.amazonaws.com/{a.Account}/{a.QueueName}";
        return new Alert
        {
            Key = $"{a.Account}:{a.Region}:{a.QueueArn}#{group}",
            Source = AlertSource.Dlq,
            Status = AlertStatus.Firing,
            State = AlarmState.Alarm,
            StateTimestamp = a.SentTime ?? e.Time,
            EventId = e.Id,
            EventTime = e.Time,
            Name = groupBy.Any(l => l != "queue")
                ? $"{a.QueueName} ({string.Join(", ", groupBy.Where(l => l != "queue").Select(l => $"{l}={(labels.TryGetValue(l, out var v) ? v : string.Empty)}"))})"
                : a.QueueName,
            Arn = a.QueueArn,
            Account = a.Account,
            Region = a.Region,
            Labels = labels,
            Summary = summary.Length <= MaxSummaryLength ? summary : summary[..MaxSummaryLength],
            Description = CredentialMask.Mask(a.Unreadable is null
                ? $"message {a.MessageId}, {a.BodySize} bytes (sha256 {a.BodySha256}), received {a.ReceiveCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} times; body: {a.BodyPreview}"
                : $"unreadable record {a.MessageId}, {a.BodySize} bytes as received (sha256 {a.BodySha256}); record: {a.BodyPreview}"),
            Reason = reason,
            Links = a.QueueArn == Dlq.DlqEnricher.Unknown ? [] : [new AlertLink("Queue", $"https://{a.Region}.console.aws.amazon.com/sqs/v3/home?region={a.Region}#/queues/{Uri.EscapeDataString(queueUrl)}")],
            ReplayName = e.ReplayName,
        };
    }

    /// <summary>ALARM fires, OK resolves, INSUFFICIENT_DATA is neither.</summary>
    public static AlertStatus StatusOf(string state) => state switch
    {
        AlarmStateValues.Alarm => AlertStatus.Firing,
        AlarmStateValues.Ok => AlertStatus.Resolved,
        _ => AlertStatus.Unknown,
    };

    /// <summary>The CloudWatch console page of an alarm.</summary>
    public static string ConsoleUrl(string region, string alarmName) =>
        $"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#alarmsV2:alarm/{Uri.EscapeDataString(alarmName)}";

    private static Alert FromAlarm(CloudWatchAlarmEvent e, IReadOnlyList<AlarmLabelRule> rules, IReadOnlyList<string>? alarmTags)
    {
        var series = e as AlarmContributorStateChangeEvent;
        var labels = Labels(e, series, rules, alarmTags);
        var description = CredentialMask.Mask(e.Detail.Configuration?.Description);
        var (muteRule, muteIgnored) = CloudWatchMuting.MuteRuleOf(e.Detail);
        return new Alert
        {
            Key = series is null
                ? AlertKeys.ForAlarm(e.Account, e.Region, e.AlarmArn)
                : AlertKeys.ForContributor(e.Account, e.Region, e.AlarmArn, series.ContributorId),
            Source = AlertSource.CloudWatch,
            Status = StatusOf(e.StateValue),
            State = AlarmStates.Parse(e.StateValue),
            PreviousState = e.PreviousState?.Value,
            StateTimestamp = e.StateTimestamp,
            EventId = e.Id,
            EventTime = e.Time,
            Name = e.AlarmName,
            Arn = e.AlarmArn,
            Account = e.Account,
            Region = e.Region,
            Labels = labels,
            Summary = Summary(e, series),
            Description = description,
            Reason = CredentialMask.Mask(e.State.Reason),
            Links = Links(e, labels, description),

            // EventBridge puts no X-Ray trace id in the event body (the trace header travels beside the event,
            // to targets that support it), and an alarm transition is not part of a traced request: nothing to carry.
            TraceId = null,
            ReplayName = e.ReplayName,
            MuteRule = muteRule,
            ActionsSuppressed = CloudWatchMuting.ActionsSuppressionOf(e.Detail, e.StateTimestamp),
            MuteIgnored = muteIgnored,
        };
    }

    private static SortedDictionary<string, string> Labels(CloudWatchAlarmEvent e, AlarmContributorStateChangeEvent? series, IReadOnlyList<AlarmLabelRule> rules, IReadOnlyList<string>? alarmTags)
    {
        // Precedence, lowest first: alarm tags < built-ins < config rules (later rules over earlier ones).
        // Tags are free text that whoever can tag an alarm controls, so a tag may add labels but never fake
        // a built-in (a tag "state=OK" must not change routing). The config file is the operator's word, so
        // its rules win over both. Only the tags the config's alarmTags names become labels at all: one alarm's tags
        // must not make it "the capability" of another service and mute that service's pages.
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (e.Detail.AlarmTags is { } tags)
        {
            foreach (var (key, value) in tags)
            {
                // aws: keys are reserved and never propagated by CloudWatch; drop any that appear anyway.
                if (key.Length > 0 && !key.StartsWith("aws:", StringComparison.Ordinal) && value is not null && (alarmTags is null || alarmTags.Contains(key, StringComparer.Ordinal)))
                {
                    labels[key] = value;
                }
            }
        }

        labels["alarmName"] = e.AlarmName;
        var (ns, metric) = MetricOf(e.Detail.Configuration);
        if (ns is not null)
        {
            labels["namespace"] = ns;
        }

        if (metric is not null)
        {
            labels["metric"] = metric;
        }

        labels["account"] = e.Account;
        labels["region"] = e.Region;
        labels["source"] = AlertSource.CloudWatch.Wire();
        labels["state"] = e.StateValue;
        if (series is not null)
        {
            labels["contributor"] = series.ContributorId;
        }

        // Rules match the labels the alarm itself carries (built-ins and tags), not labels an earlier rule
        // added: each rule stands on its own, and file order only decides who wins a conflict.
        List<AlarmLabelRule>? matched = null;
        foreach (var rule in rules)
        {
            if (rule.Match.Matches(labels))
            {
                (matched ??= []).Add(rule);
            }
        }

        if (matched is not null)
        {
            foreach (var rule in matched)
            {
                foreach (var (key, value) in rule.Labels)
                {
                    labels[key] = value;
                }
            }
        }

        return labels;
    }

    /// <summary>
    /// Namespace and metric of the first metricStat (single-metric, math, anomaly detection); for pure
    /// expressions (Metrics Insights) the namespace from the query and the expression id.
    /// </summary>
    private static (string? Namespace, string? Metric) MetricOf(AlarmConfiguration? configuration)
    {
        if (configuration?.Metrics is not { Count: > 0 } metrics)
        {
            return (null, null);
        }

        foreach (var m in metrics)
        {
            if (m?.MetricStat?.Metric is { } metric)
            {
                return (metric.Namespace, metric.Name ?? m.Id);
            }
        }

        var expression = metrics.FirstOrDefault(m => m?.ReturnData == true && m.Expression is not null)
            ?? metrics.FirstOrDefault(m => m?.Expression is not null);
        if (expression is null)
        {
            return (null, metrics.FirstOrDefault(m => m?.Id is not null)?.Id);
        }

        var from = InsightsNamespace().Match(expression.Expression!);
        return (from.Success ? from.Groups["ns"].Value : null, expression.Id);
    }

    private static string Summary(CloudWatchAlarmEvent e, AlarmContributorStateChangeEvent? series)
    {
        // The raw text in the thread's reused builder; OneLine makes the string.
        var text = ReusedBuffers.TakeText();
        text.Append(e.AlarmName).Append(" is ").Append(e.StateValue);
        if (series is not null)
        {
            text.Append(" for ").Append(Describe(series.Contributor));
        }

        var triggering = e.Kind == AlarmKind.Composite ? TriggeringNames(e.State.ReasonData) : null;
        if (triggering is { Count: > 0 })
        {
            text.Append(": triggered by ").AppendJoin(", ", triggering);
        }
        else if (!string.IsNullOrWhiteSpace(e.State.Reason))
        {
            text.Append(": ").Append(CredentialMask.Mask(e.State.Reason));
        }

        var summary = OneLine(text, MaxSummaryLength);
        ReusedBuffers.Return(text);
        return summary;
    }

    private static List<string>? TriggeringNames(AlarmReasonData? reasonData)
    {
        if (reasonData?.TriggeringAlarms is not { Count: > 0 } alarms)
        {
            return null;
        }

        var names = new List<string>(alarms.Count);
        foreach (var alarm in alarms)
        {
            if (alarm?.Name is { Length: > 0 } name && !names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static string Describe(AlarmContributor contributor)
    {
        if (contributor.Attributes is not { Count: > 0 } attributes)
        {
            return contributor.Id!;
        }

        return string.Join(", ", attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));
    }

    /// <summary>Collapses whitespace and line breaks to single spaces and cuts at <paramref name="max"/> characters with an ellipsis.</summary>
    private static string OneLine(StringBuilder text, int max)
    {
        // At most max + 1 characters are kept: one more than fits proves the text must be cut.
        Span<char> result = stackalloc char[max + 1];
        var length = 0;
        var space = false;
        for (var i = 0; i < text.Length && length <= max; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = length > 0;
                continue;
            }

            if (space)
            {
                result[length++] = ' ';
                space = false;
                if (length > max)
                {
                    break;
                }
            }

            result[length++] = c;
        }

        if (length <= max)
        {
            return new string(result[..length]);
        }

        var cut = max - 1;
        if (char.IsHighSurrogate(result[cut - 1]))
        {
            cut--;
        }

        return string.Concat(result[..cut].TrimEnd(), "…");
    }

    private static List<AlertLink> Links(CloudWatchAlarmEvent e, IReadOnlyDictionary<string, string> labels, string? description)
    {
        var links = new List<AlertLink>(2) { new("Alarm", ConsoleUrl(e.Region, e.AlarmName)) };

        // Runbook: the runbook label (a config rule, or a tag when no rule set one), then the tag itself
        // (in case a rule set something that is not a link), then the first https URL in the description.
        string? runbook = null;
        if (labels.TryGetValue("runbook", out var fromLabel) && IsWebLink(fromLabel))
        {
            runbook = fromLabel;
        }
        else if (e.Detail.AlarmTags is { } tags && tags.TryGetValue("runbook", out var fromTag) && IsWebLink(fromTag))
        {
            runbook = fromTag;
        }
        else if (description is not null && HttpsUrl().Match(description) is { Success: true } url)
        {
            runbook = url.Value.TrimEnd('.', ',', ';', ':', '!', '?');
        }

        if (runbook is not null)
        {
            links.Add(new AlertLink("Runbook", runbook));
        }

        return links;
    }

    /// <summary>Only absolute http(s) links are rendered: a label is free text and must not become a javascript: link.</summary>
    private static bool IsWebLink(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    [GeneratedRegex(@"https://[^\s<>""'()\[\]{}]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex HttpsUrl();

    // FROM "AWS/DynamoDB" or FROM SCHEMA("AWS/DynamoDB", TableName) in a Metrics Insights query.
    [GeneratedRegex(@"\bFROM\s+(?:SCHEMA\(\s*)?""?(?<ns>[A-Za-z0-9/_.#:\-]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 100)]
    private static partial Regex InsightsNamespace();
}
