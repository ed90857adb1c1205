using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Tests.Configuration;

public class ConfigValidationTests
{
    private const string Receivers = """
        receivers:
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
          - name: oncall
            pagerduty: { routingKeyParameter: /ops/pd/key }

        """;

    private const string Route = """
        route:
          receiver: team

        """;

    /// <summary>Broken file, the line of the error, its field path, and a fragment of its message.</summary>
    public static TheoryData<string, int, string, string> BrokenConfigs => new()
    {
        // 1: a typo'd top-level key is named, with a suggestion.
        { "recievers:\n  - name: team\n" + Route, 1, "recievers", "unknown key 'recievers' (did you mean 'receivers'?)" },

        // 2: a typo'd key deep in the route tree.
        { Receivers + "route:\n  receiver: team\n  routes:\n    - match: { severity: critical }\n      recevier: oncall\n", 10, "route.routes[0].recevier", "did you mean 'receiver'?" },

        // 3: a bare number is not a duration.
        { "defaults:\n  groupWait: 30\n" + Receivers + Route, 2, "defaults.groupWait", "must be a duration like 30s, 5m, 4h, 3d or 1h30m, got '30'" },

        // 4: negative durations are rejected.
        { "defaults:\n  repeatInterval: -5m\n" + Receivers + Route, 2, "defaults.repeatInterval", "got '-5m'" },

        // 4b: a group interval must be positive, in defaults and on a route.
        { "defaults:\n  groupInterval: 0s\n" + Receivers + Route, 2, "defaults.groupInterval", "got '0s'" },
        { Receivers + "route:\n  receiver: team\n  groupInterval: 5\n", 8, "route.groupInterval", "must be a duration like 30s, 5m, 4h, 3d or 1h30m, got '5'" },

        // 5: flapping needs at least a round trip.
        { "defaults:\n  flapping: { changes: 1, window: 30m }\n" + Receivers + Route, 2, "defaults.flapping.changes", "must be at least 2, got 1" },

        // 6: wrong scalar type for a bool.
        { "defaults:\n  sendResolved: \"yes\"\n" + Receivers + Route, 2, "defaults.sendResolved", "must be true or false, got the quoted string 'yes'" },

        // 6b: the allowed clock skew is a positive duration of at most a day.
        { "defaults:\n  clockSkew: 0s\n" + Receivers + Route, 2, "defaults.clockSkew", "must be" },
        { "defaults:\n  clockSkew: 2d\n" + Receivers + Route, 2, "defaults.clockSkew", "must be at most 1d" },

        // 6c: flood guard caps are whole numbers of at least one, per known channel.
        { "defaults:\n  floodGuard: { alertPerHour: 0 }\n" + Receivers + Route, 2, "defaults.floodGuard.alertPerHour", "must be at least 1, got 0" },
        { "defaults:\n  floodGuard: { receiverPerMinute: { slak: 5 } }\n" + Receivers + Route, 2, "defaults.floodGuard.receiverPerMinute.slak", "did you mean 'slack'?" },
        { "defaults:\n  floodGuard: { receiverPerMinute: { slack: many } }\n" + Receivers + Route, 2, "defaults.floodGuard.receiverPerMinute.slack", "a whole number" },

        // 7: receiver names are unique.
        { Receivers + "  - name: team\n    sns: { topicArn: arn:aws:sns:eu-west-1:1:t }\n" + Route, 6, "receivers[2].name", "receiver 'team' is already defined at line 2" },

        // 8: exactly one channel: two is an error on the second.
        { "receivers:\n  - name: team\n    slack: { webhookUrlParameter: /ops/slack/team }\n    sns: { topicArn: arn:aws:sns:eu-west-1:1:t }\n" + Route, 4, "receivers[0].sns", "a receiver has exactly one channel, this one also has slack" },

        // 9: ... and none is an error on the receiver.
        { "receivers:\n  - name: team\n" + Route, 2, "receivers[0]", "needs exactly one channel: pagerduty, slack, sns, webhook or teams" },

        // 10: secrets are SSM parameter names.
        { "receivers:\n  - name: team\n    slack: { webhookUrlParameter: ops/slack/team }\n" + Route, 3, "receivers[0].slack.webhookUrlParameter", "must be an SSM parameter name starting with '/', got 'ops/slack/team'" },

        // 11: every receiver reference in the route tree must exist.
        { Receivers + "route:\n  receiver: team\n  routes:\n    - match: { a: b }\n      receiver: oncall\n    - match: { c: d }\n      receiver: pager\n", 12, "route.routes[1].receiver", "unknown receiver 'pager' (defined: oncall, team)" },

        // 12: the root route catches everything, so it needs a receiver ...
        { Receivers + "route:\n  groupBy: [service]\n", 7, "route.receiver", "the root route needs a receiver" },

        // 13: ... and cannot have a match.
        { Receivers + "route:\n  receiver: team\n  match: { severity: critical }\n", 8, "route.match", "the root route matches every alert and cannot have match" },

        // 14: regex matchers must compile.
        { Receivers + "route:\n  receiver: team\n  routes:\n    - match: { alarmName: \"~checkout-(\" }\n      receiver: oncall\n", 9, "route.routes[0].match.alarmName", "invalid regular expression 'checkout-('" },

        // 15: an objective is a percentage strictly between 0 and 100.
        { Receivers + Route + "slos:\n  - name: api\n    objective: 100\n    window: 30d\n    alarms: [a]\n", 10, "slos[0].objective", "must be a percentage between 0 and 100 (exclusive), got 100" },

        // 16: an SLO needs alarms.
        { Receivers + Route + "slos:\n  - name: api\n    objective: 99.9\n    window: 30d\n    alarms: []\n", 12, "slos[0].alarms", "must list at least one entry" },

        // 17: burn rates are numbers.
        { Receivers + Route + "slos:\n  - name: api\n    objective: 99.9\n    window: 30d\n    alarms: [a]\n    burnAlerts:\n      - { long: 1h, short: 5m, burnRate: 14.4 }\n      - { long: 6h, short: 30m, burnRate: 6 }\n      - { long: 3d, short: 6h, burnRate: fast }\n", 16, "slos[0].burnAlerts[2].burnRate", "must be a number, got 'fast'" },

        // 18: burn alerts name real receivers.
        { Receivers + Route + "slos:\n  - name: api\n    objective: 99.9\n    window: 30d\n    alarms: [a]\n    burnAlerts:\n      - { long: 1h, short: 5m, burnRate: 14.4, receiver: pagerduty }\n", 14, "slos[0].burnAlerts[0].receiver", "unknown receiver 'pagerduty'" },

        // 19: the short window confirms the long one, so it is shorter.
        { Receivers + Route + "slos:\n  - name: api\n    objective: 99.9\n    window: 30d\n    alarms: [a]\n    burnAlerts:\n      - { long: 1h, short: 1h }\n", 14, "slos[0].burnAlerts[0].short", "must be shorter than long (1h)" },

        // 20: the drill receiver must exist.
        { Receivers + Route + "drillReceiver: drills\n", 8, "drillReceiver", "unknown receiver 'drills'" },

        // 21: the DLQ receiver must exist.
        { Receivers + Route + "dlq:\n  groupBy: [queue]\n  receiver: teams\n", 10, "dlq.receiver", "unknown receiver 'teams'" },

        // 22: groupBy entries are non-empty strings.
        { Receivers + "route:\n  receiver: team\n  groupBy: [service, \"\"]\n", 8, "route.groupBy[1]", "must not be empty" },

        // 23: a groupBy entry is not a mapping.
        { Receivers + "route:\n  receiver: team\n  groupBy: [service, { a: b }]\n", 8, "route.groupBy[1]", "must be a string, got a mapping" },

        // 24: a duplicate key would silently win in most YAML readers.
        { Receivers + "route:\n  receiver: team\n  receiver: oncall\n", 8, "route.receiver", "duplicate key 'receiver' (first given at line 7)" },

        // 25: wrong shape: routes is a list.
        { Receivers + "route:\n  receiver: team\n  routes: { match: { a: b } }\n", 8, "route.routes", "must be a list, got a mapping" },

        // 26: an inhibit rule needs both sides.
        { Receivers + Route + "inhibit:\n  - sourceMatch: { kind: capability }\n    equal: [service]\n", 9, "inhibit[0].targetMatch", "is required" },

        // 27: a matcher value of null is most likely a mistake.
        { Receivers + Route + "alarms:\n  - match: { alarmName: }\n    labels: { team: a }\n", 9, "alarms[0].match.alarmName", "must be a string, got nothing (null) (use \"\" to match a missing label)" },

        // 28: an unresolved substitution names its field.
        { Receivers + Route + "dlq:\n  groupBy: [queue]\n  receiver: ${DlqReceiver}\n", 10, "dlq.receiver", "unresolved substitution ${DlqReceiver}" },

        // 29: continue on a child route is a bool.
        { Receivers + "route:\n  receiver: team\n  routes:\n    - receiver: oncall\n      continue: 1\n", 10, "route.routes[0].continue", "must be true or false, got '1'" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Load_WhenConfigBroken_ShouldReportLineAndField(string yaml, int line, string field, string fragment)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(yaml, "bad.yaml"));

        var error = Assert.Single(e.Errors, x => x.Field == field);
        Assert.Equal(line, error.Line);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains($"bad.yaml:{line}:{error.Column}: {field}: {error.Message}", e.Message.Split('\n'));
    }

    [Theory]
    [InlineData("0s", 0)]
    [InlineData("0", 0)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("4h", 14400)]
    [InlineData("3d", 259200)]
    [InlineData("2w", 1209600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d2h3m4s", 93784)]
    [InlineData("90m", 5400)]
    public void TryParse_WhenValidDuration_ShouldReturnSeconds(string text, long seconds)
    {
        Assert.True(ConfigDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("-5m")]
    [InlineData("5 m")]
    [InlineData("m")]
    [InlineData("1.5h")]
    [InlineData("30m1h")]
    [InlineData("1h1h")]
    [InlineData("5ms")]
    [InlineData("PT5M")]
    [InlineData("99999999999999999999d")]
    [InlineData("9999999999999w")]
    public void TryParse_WhenNotADuration_ShouldFail(string text)
    {
        Assert.False(ConfigDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(30, "30s")]
    [InlineData(5400, "1h30m")]
    [InlineData(2592000, "4w2d")]
    public void Format_WhenWholeSeconds_ShouldRoundTrip(long seconds, string text)
    {
        Assert.Equal(text, ConfigDuration.Format(TimeSpan.FromSeconds(seconds)));
        Assert.True(ConfigDuration.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }
}
