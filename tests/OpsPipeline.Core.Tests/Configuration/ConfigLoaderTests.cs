using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Notifiers.Sns;
using OpsPipeline.Core.Notifiers.Webhook;

namespace OpsPipeline.Core.Tests.Configuration;

public class ConfigLoaderTests
{
    [Fact]
    public void Load_WhenArchitectureExample_ShouldYieldExpectedModel()
    {
        var config = ConfigText.LoadExample();

        var expected = """
            defaults groupWait=00:00:30 repeatInterval=04:00:00 flapping=4/00:30:00 sendResolved=True
            alarm {alarmName=~^checkout-} => service=checkout, severity=critical, kind=component
            alarm {alarmName=checkout-capability} => service=checkout, severity=critical, kind=capability
            receiver oncall pagerduty /ops/pagerduty/routing-key
            receiver team slack /ops/slack/team
            receiver email sns arn:aws:sns:eu-west-1:123456789012:ops-email
            receiver drills slack /ops/slack/drills
            route receiver=team match={} groupBy=[service] groupWait=- repeat=- continue=False
            route/0 receiver=oncall match={severity=critical} groupBy=- groupWait=00:00:00 repeat=- continue=True
            route/1 receiver=email match={alarmName=~^billing-} groupBy=- groupWait=- repeat=- continue=False
            inhibit {kind=capability} -> {kind=component} equal [service]
            drillReceiver drills
            slo checkout-availability objective=99.9 window=30.00:00:00 alarms=[checkout-api-5xx] receiver=
              burn 01:00:00/00:05:00 x14.4 -> oncall
              burn 06:00:00/00:30:00 x6 -> oncall
              burn 3.00:00:00/06:00:00 x1 -> team
            dlq groupBy=[queue, errorCode] -> team

            """;
        Assert.Equal(expected, ConfigText.Dump(config));
    }

    [Fact]
    public void Load_WhenArchitectureExample_ShouldKeepTypedValues()
    {
        var config = ConfigText.LoadExample();

        var slo = Assert.Single(config.Slos);
        Assert.Equal(TimeSpan.FromDays(30), slo.Window);
        Assert.Equal(99.9, slo.Objective);
        Assert.Equal(TimeSpan.FromHours(1), slo.BurnAlerts[0].Long);
        Assert.Equal(TimeSpan.FromMinutes(5), slo.BurnAlerts[0].Short);
        Assert.Equal(TimeSpan.Zero, config.Route.Routes[0].GroupWait);
        Assert.Equal("email", config.FindReceiver("email")?.Name);
        Assert.Equal(ConfigText.EmailTopicArn, EmailTopicArnOf(config));
    }

    [Fact]
    public void LoadFile_WhenRepoSampleConfig_ShouldEqualArchitectureExample()
    {
        var path = Path.Combine(RepoRoot(), "functions", "OpsPipeline.Functions", "ops-pipeline.yaml");

        var sample = ConfigLoader.LoadFile(path, ConfigText.Substitutions);

        Assert.Equal(ConfigText.Dump(ConfigText.LoadExample()), ConfigText.Dump(sample));
    }

    [Fact]
    public void LoadFile_WhenSubstitutionMissing_ShouldNameFileLineAndField()
    {
        var path = Path.Combine(RepoRoot(), "functions", "OpsPipeline.Functions", "ops-pipeline.yaml");
        var line = Array.FindIndex(File.ReadAllLines(path), l => l.Contains("${OpsEmailTopicArn}", StringComparison.Ordinal)) + 1;

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path));

        Assert.Equal(
            $"ops-pipeline.yaml:{line}:22: receivers[2].sns.topicArn: unresolved substitution ${{OpsEmailTopicArn}}: no value named 'OpsEmailTopicArn' was provided",
            e.Message);
    }

    [Fact]
    public void Load_WhenSeveralSubstitutions_ShouldReplaceEachInAnyScalar()
    {
        var yaml = """
            defaults:
              repeatInterval: ${Repeat}
            receivers:
              - name: hook
                webhook: { urlParameter: "/ops/${Stage}/hooks/${Team}" }
            route:
              receiver: hook
            """;
        var values = new Dictionary<string, string> { ["Repeat"] = "2h", ["Stage"] = "prod", ["Team"] = "payments" };

        var config = ConfigLoader.Load(yaml, "c.yaml", values);

        Assert.Equal("/ops/prod/hooks/payments", (config.Receivers[0].Settings as WebhookReceiver)?.UrlParameter);
        Assert.Equal(TimeSpan.FromHours(2), config.Defaults.RepeatInterval);
    }

    [Fact]
    public void Load_WhenDefaultsMissing_ShouldUseModelDefaults()
    {
        var config = ConfigLoader.Load(Minimal, "c.yaml");

        Assert.Equal(new Defaults(), config.Defaults);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Defaults.GroupWait);
        Assert.Equal(TimeSpan.FromHours(4), config.Defaults.RepeatInterval);
        Assert.Equal(4, config.Defaults.Flapping.Changes);
        Assert.Empty(config.Alarms);
        Assert.Empty(config.Inhibit);
        Assert.Empty(config.Slos);
        Assert.Null(config.Dlq);
        Assert.Null(config.DrillReceiver);
    }

    [Fact]
    public void Load_WhenDefaultsPartlyGiven_ShouldKeepTheRest()
    {
        var config = ConfigLoader.Load("defaults:\n  flapping: { window: 1h }\n" + Minimal, "c.yaml");

        Assert.Equal(new Defaults { Flapping = new FlappingConfig { Changes = 4, Window = TimeSpan.FromHours(1) } }, config.Defaults);
    }

    [Theory]
    [InlineData("", "team")]
    [InlineData("    receiver: pager\n", "pager")]
    public void Load_WhenSloHasNoBurnAlerts_ShouldUseWorkbookDefaultsToSloOrRootReceiver(string sloReceiver, string expectedReceiver)
    {
        var yaml = """
            receivers:
              - name: team
                slack: { webhookUrlParameter: /ops/slack/team }
              - name: pager
                pagerduty: { routingKeyParameter: /ops/pd }
            route:
              receiver: team
            slos:
              - name: api
                objective: 99.5
                window: 28d
                alarms: [api-5xx]

            """ + sloReceiver;

        var slo = Assert.Single(ConfigLoader.Load(yaml, "c.yaml").Slos);

        Assert.Equal(
            [
                new BurnAlertConfig(TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), 14.4, expectedReceiver),
                new BurnAlertConfig(TimeSpan.FromHours(6), TimeSpan.FromMinutes(30), 6, expectedReceiver),
                new BurnAlertConfig(TimeSpan.FromDays(3), TimeSpan.FromHours(6), 1, expectedReceiver),
            ],
            slo.BurnAlerts);
    }

    [Fact]
    public void Load_WhenBurnAlertHasNoReceiver_ShouldUseSloReceiver()
    {
        var yaml = Minimal + """
            slos:
              - name: api
                objective: 99
                window: 7d
                alarms: [a, b]
                receiver: team
                burnAlerts:
                  - { long: 1h, short: 5m, burnRate: 14.4 }
            """;

        var slo = Assert.Single(ConfigLoader.Load(yaml, "c.yaml").Slos);

        Assert.Equal("team", slo.Receiver);
        Assert.Equal([new BurnAlertConfig(TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), 14.4, "team")], slo.BurnAlerts);
        Assert.Equal(["a", "b"], slo.Alarms);
    }

    [Fact]
    public void Load_WhenDlqHasNoGroupBy_ShouldGroupByQueue()
    {
        var config = ConfigLoader.Load(Minimal + "dlq: { receiver: team }\n", "c.yaml");

        Assert.Equal(["queue"], config.Dlq?.GroupBy);
        Assert.Equal("team", config.Dlq?.Receiver);
    }

    [Fact]
    public void Load_WhenSeveralErrors_ShouldListAllInLineOrder()
    {
        var yaml = """
            recievers:
              - name: team
            route:
              receiver: nobody
              groupWait: soon
            """;

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(yaml, "ops.yaml"));

        Assert.Equal(
            """
            ops.yaml:1:1: recievers: unknown key 'recievers' (did you mean 'receivers'?)
            ops.yaml:1:1: receivers: is required
            ops.yaml:4:13: route.receiver: unknown receiver 'nobody' (none are defined)
            ops.yaml:5:14: route.groupWait: must be a duration like 30s, 5m, 4h, 3d or 1h30m, got 'soon'
            """.ReplaceLineEndings("\n"),
            e.Message);
        Assert.Equal(4, e.Errors.Count);
        Assert.Equal(new ConfigError(5, 14, "route.groupWait", "must be a duration like 30s, 5m, 4h, 3d or 1h30m, got 'soon'"), e.Errors[3]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void Load_WhenEmpty_ShouldSayItIsEmpty(string yaml)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(yaml, "c.yaml"));

        Assert.Equal("c.yaml:1:1: config: the file is empty; it needs at least receivers and route", e.Message);
    }

    [Theory]
    [InlineData("route:\n  receiver: team\n  groupBy: [service\nreceivers: []\n", 3, "could not parse past this point (an unclosed bracket, brace or quote?)")]
    [InlineData("receivers: []\nroute:\n  receiver: team: oncall\n", 3, "While scanning a plain scalar value, found invalid mapping.")]
    [InlineData("receivers: []\nroute:\n  receiver: \"team\n", 3, "found unexpected end of stream")]
    public void Load_WhenYamlSyntaxIsBroken_ShouldReportPosition(string yaml, int line, string fragment)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(yaml, "c.yaml"));

        var error = Assert.Single(e.Errors);
        Assert.Equal("yaml", error.Field);
        Assert.Equal(line, error.Line);
        Assert.StartsWith("invalid YAML: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Load_WhenTwoDocuments_ShouldRejectSecond()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Minimal + "---\n" + Minimal, "c.yaml"));

        Assert.Equal(new ConfigError(7, 1, "config", "the file must hold one YAML document, found 2"), Assert.Single(e.Errors));
    }

    [Fact]
    public void Load_WhenTopLevelIsAList_ShouldSayMappingExpected()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("- receivers\n", "c.yaml"));

        Assert.Equal("c.yaml:1:1: config: must be a mapping, got a list", e.Message);
    }

    internal const string Minimal = """
        receivers:
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
        route:
          receiver: team

        """;

    private static string? EmailTopicArnOf(PipelineConfig config) => (config.FindReceiver("email")?.Settings as SnsReceiver)?.TopicArn;

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessOpsPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ServerlessOpsPipeline.sln not found above " + AppContext.BaseDirectory);
    }
}
