using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>Alert groups for digest tests: the checkout service's alarms on the README's critical route.</summary>
internal static class SampleDigests
{
    public const string GroupKey = "root/0:{service=\"checkout\"}";

    public static readonly IReadOnlyDictionary<string, string> GroupLabels =
        new SortedDictionary<string, string>(StringComparer.Ordinal) { ["service"] = "checkout" };

    /// <summary>Three checkout alarms that fired within one groupWait, given out of order: warning, critical, high.</summary>
    public static IReadOnlyList<Alert> Three() =>
    [
        Alarm("checkout-latency-p99", "warning", "checkout-latency-p99: p99 latency above 2 s on checkout-api", 27),
        SampleAlerts.Firing(),
        Alarm("checkout-orders-throttles", "high", "checkout-orders-throttles: DynamoDB throttles on the orders table", 28),
    ];

    /// <summary>Sixty alarms, one per function: six critical, the rest spread over the other levels.</summary>
    public static IReadOnlyList<Alert> Sixty() =>
        Enumerable.Range(0, 60)
            .Select(i => Alarm(
                $"checkout-fn-{i:D2}-errors",
                (i % 10) switch { 0 => "critical", < 4 => "error", < 8 => "warning", _ => "info" },
                $"checkout-fn-{i:D2}-errors: Lambda errors above threshold",
                i % 60))
            .ToList();

    /// <summary>
    /// A later update of the checkout group: checkout-latency-p99 is new, checkout-orders-throttles fires on (a repeat),
    /// checkout-api-5xx resolved; two members told firing in earlier updates still fire, and one the record does not name.
    /// </summary>
    public static (IReadOnlyList<DigestMember> Members, StillFiring Others) Update()
    {
        var three = Three();
        return (
            [
                new(three[0], DeliveryActions.Trigger),
                new(SampleAlerts.Resolved(), DeliveryActions.Resolve),
                new(three[2], DeliveryActions.Repeat),
            ],
            new StillFiring([new("0A1B", "checkout-db-errors", "critical"), new("2C3D", "checkout-queue-age", "warning")], 1));
    }

    /// <summary>The three alerts replayed from the archive during a game day.</summary>
    public static IReadOnlyList<Alert> ThreeReplayed() => Three().Select(a => a with { ReplayName = "gameday-2025-03" }).ToList();

    /// <summary>A firing checkout alarm like the sample one, under another name, severity and summary.</summary>
    public static Alert Alarm(string name, string severity, string summary, int second)
    {
        var arn = $"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}";
        var alert = SampleAlerts.WithLabels(SampleAlerts.Firing(), [new("alarmName", name), new("severity", severity)]);
        return alert with
        {
            Key = $"123456789012/us-east-1/{arn}",
            Name = name,
            Arn = arn,
            Summary = summary,
            StateTimestamp = new DateTimeOffset(2025, 3, 14, 9, 27, second, TimeSpan.Zero),
            EventId = $"evt-{name}",
            Links =
            [
                new AlertLink("Alarm", $"https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/{name}"),
                new AlertLink("Runbook", "https://runbooks.example.com/checkout"),
            ],
        };
    }
}
