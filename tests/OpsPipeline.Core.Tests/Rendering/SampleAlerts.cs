using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Notifiers.PagerDuty;
using OpsPipeline.Core.Notifiers.Slack;
using OpsPipeline.Core.Notifiers.Sns;
using OpsPipeline.Core.Notifiers.Webhook;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>The fixed alert and receivers every rendering test starts from (names as in the README sample config).</summary>
internal static class SampleAlerts
{
    public const string AlarmArn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-5xx";

    public const string Key = "123456789012/us-east-1/" + AlarmArn;

    public static readonly ReceiverConfig Team = new() { Name = "team", Settings = new SlackReceiver("/ops/slack/team") };

    public static readonly ReceiverConfig OnCall = new() { Name = "oncall", Settings = new PagerDutyReceiver("/ops/pagerduty/routing-key") };

    public static readonly ReceiverConfig Email = new() { Name = "email", Settings = new SnsReceiver("arn:aws:sns:us-east-1:123456789012:ops-email") };

    public static readonly ReceiverConfig Hook = new() { Name = "hook", Settings = new WebhookReceiver("/ops/webhook/incidents") };

    /// <summary>checkout-api-5xx going OK → ALARM.</summary>
    public static Alert Firing() => new()
    {
        Key = Key,
        Source = AlertSource.CloudWatch,
        Status = AlertStatus.Firing,
        State = AlarmState.Alarm,
        PreviousState = "OK",
        StateTimestamp = new DateTimeOffset(2025, 3, 14, 9, 26, 53, 123, TimeSpan.Zero),
        EventId = "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
        EventTime = new DateTimeOffset(2025, 3, 14, 9, 26, 54, TimeSpan.Zero),
        Name = "checkout-api-5xx",
        Arn = AlarmArn,
        Account = "123456789012",
        Region = "us-east-1",
        Labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["account"] = "123456789012",
            ["alarmName"] = "checkout-api-5xx",
            ["kind"] = "component",
            ["metric"] = "5XXError",
            ["namespace"] = "AWS/ApiGateway",
            ["region"] = "us-east-1",
            ["service"] = "checkout",
            ["severity"] = "critical",
            ["source"] = "cloudwatch",
            ["state"] = "ALARM",
        },
        Summary = "checkout-api-5xx: 5XX errors above threshold on checkout-api",
        Description = "Checkout API returns 5XX to more than 1% of requests.",
        Reason = "Threshold Crossed: 1 out of the last 1 datapoints [12.0 (14/03/25 09:21:00)] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).",
        Links =
        [
            new AlertLink("Alarm in console", "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/checkout-api-5xx"),
            new AlertLink("Runbook", "https://runbooks.example.com/checkout/5xx?team=payments&env=prod"),
        ],
        TraceId = "1-67d3f5a5-0123456789abcdef01234567",
    };

    /// <summary>The same alarm back to OK.</summary>
    public static Alert Resolved() => Firing() with
    {
        Status = AlertStatus.Resolved,
        State = AlarmState.Ok,
        PreviousState = "ALARM",
        StateTimestamp = new DateTimeOffset(2025, 3, 14, 9, 41, 53, 456, TimeSpan.Zero),
        EventId = "0d7f3c55-1b0e-4c42-9f3e-2a1c7e5b9d10",
        EventTime = new DateTimeOffset(2025, 3, 14, 9, 41, 54, TimeSpan.Zero),
        Labels = new SortedDictionary<string, string>(Firing().Labels.ToDictionary(), StringComparer.Ordinal) { ["state"] = "OK" },
        Reason = "Threshold Crossed: 1 out of the last 1 datapoints [0.0 (14/03/25 09:36:00)] was not greater than the threshold (5.0) (minimum 1 datapoint for ALARM -> OK transition).",
        TraceId = null,
    };

    /// <summary>The firing alert replayed from the archive during a game day.</summary>
    public static Alert Replayed() => Firing() with { ReplayName = "gameday-2025-03" };

    public static Alert WithLabels(Alert alert, IEnumerable<KeyValuePair<string, string>> extra)
    {
        var labels = new SortedDictionary<string, string>(alert.Labels.ToDictionary(), StringComparer.Ordinal);
        foreach (var (key, value) in extra)
        {
            labels[key] = value;
        }

        return alert with { Labels = labels };
    }
}
