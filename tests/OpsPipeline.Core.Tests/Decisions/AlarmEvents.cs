using System.Globalization;
using System.Text.Json.Nodes;
using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// CloudWatch "Alarm State Change" events for the decision tests, taken through the real EventParser and
/// AlertNormalizer, so alert keys and labels are exactly what Decide sees in production.
/// </summary>
internal static class AlarmEvents
{
    public const string Account = "123456789012";

    public const string Region = "us-east-1";

    /// <summary>The start of every scenario: a few seconds past a minute boundary, like a real alarm.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 10, 9, 0, 5, TimeSpan.Zero);

    public static string KeyOf(string alarmName) => AlertKeys.ForAlarm(Account, Region, ArnOf(alarmName));

    public static string ArnOf(string alarmName) => AlarmArns.Of(Region, Account, alarmName);

    /// <summary>
    /// One transition of <paramref name="alarmName"/> to <paramref name="state"/> at <paramref name="stateTimestamp"/>.
    /// The event id defaults to one per transition; the event time (the clock of a local run) defaults to the transition.
    /// </summary>
    public static Alert Alert(
        PipelineConfig config,
        string alarmName,
        string state,
        DateTimeOffset stateTimestamp,
        string? id = null,
        DateTimeOffset? receivedAt = null,
        string? replayName = null) =>
        AlertNormalizer.Normalize(EventParser.Parse(Json(alarmName, state, stateTimestamp, id, receivedAt, replayName)), config.Alarms);

    public static string Json(string alarmName, string state, DateTimeOffset stateTimestamp, string? id = null, DateTimeOffset? receivedAt = null, string? replayName = null)
    {
        var previous = state == "ALARM" ? "OK" : "ALARM";
        var e = new JsonObject
        {
            ["version"] = "0",
            ["id"] = id ?? $"{alarmName}-{state}-{stateTimestamp.UtcDateTime:yyyyMMddTHHmmssfff}",
            ["detail-type"] = "CloudWatch Alarm State Change",
            ["source"] = "aws.cloudwatch",
            ["account"] = Account,
            ["time"] = (receivedAt ?? stateTimestamp).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["region"] = Region,
            ["resources"] = new JsonArray(ArnOf(alarmName)),
            ["detail"] = new JsonObject
            {
                ["alarmName"] = alarmName,
                ["state"] = new JsonObject
                {
                    ["value"] = state,
                    ["reason"] = $"{alarmName} went to {state}",
                    ["timestamp"] = AwsTime(stateTimestamp),
                },
                ["previousState"] = new JsonObject
                {
                    ["value"] = previous,
                    ["reason"] = $"{alarmName} was {previous}",
                    ["timestamp"] = AwsTime(stateTimestamp.AddMinutes(-10)),
                },
                ["configuration"] = new JsonObject
                {
                    ["description"] = $"{alarmName} is out of bounds.",
                    ["metrics"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "m1",
                        ["metricStat"] = new JsonObject
                        {
                            ["metric"] = new JsonObject { ["name"] = "5XXError", ["namespace"] = "AWS/ApiGateway", ["dimensions"] = new JsonObject { ["ApiName"] = alarmName } },
                            ["period"] = 60,
                            ["stat"] = "Sum",
                        },
                        ["returnData"] = true,
                    }),
                },
            },
        };
        if (replayName is not null)
        {
            e["replay-name"] = replayName;
        }

        return e.ToJsonString();
    }

    private static string AwsTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000";
}
