using System.Text.Json.Nodes;

namespace OpsPipeline.Integration.Tests;

/// <summary>Builds CloudWatch "Alarm State Change" events in the documented shape, for scenario tests.</summary>
internal static class AlarmEvents
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static string StateChange(string alarmName, string state, DateTimeOffset at, string? id = null, string previous = "OK", string? replayName = null)
    {
        var arn = $"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{alarmName}";
        var e = new JsonObject
        {
            ["version"] = "0",
            ["id"] = id ?? Guid.NewGuid().ToString(),
            ["detail-type"] = "CloudWatch Alarm State Change",
            ["source"] = "aws.cloudwatch",
            ["account"] = "123456789012",
            ["time"] = at.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["region"] = "us-east-1",
            ["resources"] = new JsonArray(arn),
            ["detail"] = new JsonObject
            {
                ["alarmName"] = alarmName,
                ["state"] = new JsonObject
                {
                    ["value"] = state,
                    ["reason"] = $"Threshold Crossed: 1 datapoint [{(state == "ALARM" ? "12.0" : "0.0")}] was {(state == "ALARM" ? "greater" : "not greater")} than the threshold (5.0).",
                    ["reasonData"] = "{\"version\":\"1.0\",\"queryDate\":\"2026-03-02T09:00:00.000+0000\",\"statistic\":\"Sum\",\"period\":60,\"recentDatapoints\":[12.0],\"threshold\":5.0}",
                    ["timestamp"] = at.ToString("yyyy-MM-ddTHH:mm:ss.fff") + "+0000",
                },
                ["previousState"] = new JsonObject
                {
                    ["value"] = previous,
                    ["reason"] = "previous",
                    ["timestamp"] = at.AddMinutes(-10).ToString("yyyy-MM-ddTHH:mm:ss.fff") + "+0000",
                },
                ["configuration"] = new JsonObject
                {
                    ["description"] = $"{alarmName}: too many errors",
                    ["metrics"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "m1",
                        ["metricStat"] = new JsonObject
                        {
                            ["metric"] = new JsonObject
                            {
                                ["namespace"] = "AWS/ApiGateway",
                                ["name"] = "5XXError",
                                ["dimensions"] = new JsonObject { ["ApiName"] = "checkout" },
                            },
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
}
