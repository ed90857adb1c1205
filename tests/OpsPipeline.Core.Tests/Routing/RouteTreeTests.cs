using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Routing;
using OpsPipeline.Core.Tests.Configuration;

namespace OpsPipeline.Core.Tests.Routing;

public class RouteTreeTests
{
    private const string Tree = """
        defaults:
          groupWait: 30s
          repeatInterval: 4h
        receivers:
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
          - name: oncall
            pagerduty: { routingKeyParameter: /ops/pd/oncall }
          - name: email
            sns: { topicArn: "arn:aws:sns:eu-west-1:123456789012:ops-email" }
          - name: dbpager
            pagerduty: { routingKeyParameter: /ops/pd/db }
        route:
          receiver: team
          groupBy: [service]
          routes:
            - match: { severity: critical }
              receiver: oncall
              groupWait: 0s
              continue: true
            - match: { alarmName: "~billing-.*" }
              receiver: email
            - match: { service: db }
              groupBy: [service, table]
              repeatInterval: 1h
              routes:
                - match: { severity: critical }
                  receiver: dbpager
                - match: { table: "~orders|payments" }
                  groupWait: 10s
        """;

    private static readonly RouteTree Routes = RouteTree.From(ConfigLoader.Load(Tree, "tree.yaml"));

    /// <summary>Labels as "k=v,k=v"; expected routes as "receiver@id" joined by ' '.</summary>
    [Theory]
    [InlineData("", "team@root")]
    [InlineData("service=checkout", "team@root")]
    [InlineData("alarmName=checkout-api-5xx,service=checkout,severity=critical", "oncall@root/0")]
    [InlineData("alarmName=billing-invoices,severity=critical", "oncall@root/0 email@root/1")]
    [InlineData("alarmName=billing-invoices", "email@root/1")]
    [InlineData("alarmName=old-billing-invoices", "team@root")]
    [InlineData("alarmName=billing-invoices,service=db", "email@root/1")]
    [InlineData("service=db", "team@root/2")]
    [InlineData("service=db,severity=warning", "team@root/2")]
    [InlineData("service=db,severity=critical", "oncall@root/0 dbpager@root/2/0")]
    [InlineData("service=db,table=orders", "team@root/2/1")]
    [InlineData("service=db,table=payments,severity=critical", "oncall@root/0 dbpager@root/2/0")]
    [InlineData("service=db,table=orders-archive", "team@root/2")]
    public void Match_WhenLabels_ShouldFollowAlertmanagerOrder(string labels, string expected)
    {
        var matched = Routes.Match(Labels(labels));

        Assert.Equal(expected, string.Join(' ', matched.Select(r => $"{r.Receiver}@{r.Id}")));
    }

    [Theory]
    [InlineData("root", "team", "service", 30, 4 * 3600)]
    [InlineData("root/0", "oncall", "service", 0, 4 * 3600)]
    [InlineData("root/1", "email", "service", 30, 4 * 3600)]
    [InlineData("root/2", "team", "service,table", 30, 3600)]
    [InlineData("root/2/0", "dbpager", "service,table", 30, 3600)]
    [InlineData("root/2/1", "team", "service,table", 10, 3600)]
    public void Find_WhenNested_ShouldInheritUnsetValuesFromParent(string id, string receiver, string groupBy, int groupWaitSeconds, int repeatSeconds)
    {
        var route = Routes.Find(id);

        Assert.NotNull(route);
        Assert.Equal(receiver, route.Receiver);
        Assert.Equal(groupBy.Split(','), route.GroupBy);
        Assert.Equal(TimeSpan.FromSeconds(groupWaitSeconds), route.GroupWait);
        Assert.Equal(TimeSpan.FromSeconds(repeatSeconds), route.RepeatInterval);
    }

    [Fact]
    public void All_WhenTreeBuilt_ShouldListEveryNodeDepthFirst()
    {
        Assert.Equal(["root", "root/0", "root/1", "root/2", "root/2/0", "root/2/1"], Routes.All.Select(r => r.Id));
        Assert.Null(Routes.Find("root/3"));
    }

    [Fact]
    public void Match_WhenArchitectureExampleAndCriticalCheckoutAlarm_ShouldPageOncallOnly()
    {
        var tree = RouteTree.From(ConfigText.LoadExample());

        var matched = tree.Match(Labels("alarmName=checkout-api-5xx,service=checkout,severity=critical"));

        // The continue child matched, billing did not: Alertmanager does not fall back to the parent (team).
        Assert.Equal("root/0 oncall [service] 00:00:00 04:00:00", Describe(Assert.Single(matched)));
    }

    [Fact]
    public void Match_WhenArchitectureExampleAndWarning_ShouldUseDefaultReceiver()
    {
        var tree = RouteTree.From(ConfigText.LoadExample());

        var route = Assert.Single(tree.Match(Labels("alarmName=orders-queue-age,service=orders,severity=warning")));

        Assert.Equal("root", route.Id);
        Assert.Equal("team", route.Receiver);
        Assert.Equal(TimeSpan.FromSeconds(30), route.GroupWait);
    }

    [Fact]
    public void Match_WhenNoDefaultsInConfig_ShouldTakeRootTimersFromModelDefaults()
    {
        var tree = RouteTree.From(ConfigLoader.Load(ConfigLoaderTests.Minimal, "c.yaml"));

        Assert.Equal("root team [] 00:00:30 04:00:00", Describe(tree.Root));
    }

    [Fact]
    public void Match_WhenSeveralContinueChildrenMatch_ShouldReturnEachInOrder()
    {
        var root = new RouteConfig
        {
            Receiver = "default",
            Routes =
            [
                new RouteConfig { Receiver = "a", Continue = true },
                new RouteConfig { Receiver = "b", Continue = true, Match = Matchers(("x", "1")) },
                new RouteConfig { Receiver = "c" },
                new RouteConfig { Receiver = "never" },
            ],
        };
        var tree = new RouteTree(root, new Defaults());

        Assert.Equal(["a", "b", "c"], tree.Match(Labels("x=1")).Select(r => r.Receiver));
        Assert.Equal(["a", "c"], tree.Match(Labels("x=2")).Select(r => r.Receiver));
    }

    [Fact]
    public void Match_WhenOnlyContinueChildMatches_ShouldNotAddParent()
    {
        var root = new RouteConfig
        {
            Receiver = "default",
            Routes = [new RouteConfig { Receiver = "audit", Continue = true, Match = Matchers(("env", "~prod|stage")) }],
        };
        var tree = new RouteTree(root, new Defaults());

        Assert.Equal(["audit"], tree.Match(Labels("env=prod")).Select(r => r.Receiver));
        Assert.Equal(["default"], tree.Match(Labels("env=production")).Select(r => r.Receiver));
    }

    [Fact]
    public void Constructor_WhenRootHasNoReceiver_ShouldThrow()
    {
        var e = Assert.Throws<ArgumentException>(() => new RouteTree(new RouteConfig(), new Defaults()));

        Assert.StartsWith("the root route needs a receiver", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("root/0", "service", "service=checkout,severity=critical", "root/0:{service=\"checkout\"}")]
    [InlineData("root/2/1", "service,table", "service=db,table=orders,severity=warning", "root/2/1:{service=\"db\",table=\"orders\"}")]
    [InlineData("root/2/1", "table,service", "table=orders,service=db", "root/2/1:{service=\"db\",table=\"orders\"}")]
    [InlineData("root", "service,table", "service=db", "root:{service=\"db\"}")]
    [InlineData("root", "", "service=db", "root:{}")]
    [InlineData("root", "service", "service=a\"\\b", "root:{service=\"a\\\"\\\\b\"}")]
    public void GroupKey_WhenLabels_ShouldJoinRouteIdAndSortedGroupValues(string id, string groupBy, string labels, string expected)
    {
        var route = new MatchedRoute(id, "team", groupBy.Length == 0 ? [] : groupBy.Split(','), TimeSpan.Zero, TimeSpan.FromHours(4));

        Assert.Equal(expected, RouteTree.GroupKey(route, Labels(labels)));
    }

    [Fact]
    public void GroupKey_WhenSameGroupValuesOnDifferentRoutes_ShouldDiffer()
    {
        var labels = Labels("service=checkout,severity=critical,alarmName=billing-x");

        var keys = Routes.Match(labels).Select(r => RouteTree.GroupKey(r, labels));

        Assert.Equal(["root/0:{service=\"checkout\"}", "root/1:{service=\"checkout\"}"], keys);
    }

    private static string Describe(MatchedRoute r) =>
        $"{r.Id} {r.Receiver} [{string.Join(", ", r.GroupBy)}] {r.GroupWait} {r.RepeatInterval}";

    private static Dictionary<string, string> Labels(string text) =>
        text.Length == 0
            ? []
            : text.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    private static LabelMatchers Matchers(params (string Label, string Pattern)[] items) =>
        new([.. items.Select(i => new LabelMatcher(i.Label, i.Pattern))]);
}
