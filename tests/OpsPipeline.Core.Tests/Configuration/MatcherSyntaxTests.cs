using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Routing;

namespace OpsPipeline.Core.Tests.Configuration;

/// <summary>Alertmanager's matcher syntax (=, !=, =~, !~) beside the match: maps, in routes and inhibit rules.</summary>
public class MatcherSyntaxTests
{
    private static readonly Dictionary<string, string> Checkout = new() { ["service"] = "checkout", ["env"] = "prod" };
    private static readonly Dictionary<string, string> Orders = new() { ["service"] = "orders-archive", ["env"] = "dev" };

    [Theory]
    [InlineData("service=checkout", "service", MatchOperator.Equal, "checkout", true, false)]
    [InlineData("service!=checkout", "service", MatchOperator.NotEqual, "checkout", false, true)]
    [InlineData("env=~prod|staging", "env", MatchOperator.Regex, "prod|staging", true, false)]
    [InlineData("env!~prod|staging", "env", MatchOperator.NotRegex, "prod|staging", false, true)]
    [InlineData("service =~ \"orders|checkout\"", "service", MatchOperator.Regex, "orders|checkout", true, false)] // anchored: not orders-archive
    [InlineData("team=\"\"", "team", MatchOperator.Equal, "", true, true)]  // a missing label is ""
    [InlineData("service=a=b", "service", MatchOperator.Equal, "a=b", false, false)]
    [InlineData("alarmName=~^checkout-", "alarmName", MatchOperator.Regex, "^checkout-", false, false)]
    public void Parse_WhenAlertmanagerSyntax_ShouldReadLabelOperatorAndValue(string text, string label, MatchOperator op, string value, bool matchesCheckout, bool matchesOrders)
    {
        var m = LabelMatcher.Parse(text);

        Assert.Equal((label, op, value), (m.Label, m.Operator, m.Value));
        Assert.Equal((matchesCheckout, matchesOrders), (m.Matches(Checkout), m.Matches(Orders)));
    }

    [Theory]
    [InlineData("service!checkout", "character 8 ('!') after label 'service' is not one of the operators =, !=, =~, !~")]
    [InlineData("service", "label 'service' needs an operator")]
    [InlineData("=checkout", "character 1 ('=') cannot start a label name")]
    [InlineData("service=\"checkout", "the value quoted at character 9 has no closing quote")]
    [InlineData("service=\"a\" b", "nothing may follow the quoted value")]
    [InlineData("env=~(prod", "invalid regular expression '(prod'")]
    [InlineData("", "no label name")]
    public void Parse_WhenUnreadable_ShouldThrowSayingWhereNeverMakeALabelOfIt(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => LabelMatcher.Parse(text));

        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("service=checkout")]
    [InlineData("service!=checkout")]
    [InlineData("env=~prod|staging")]
    [InlineData("env!~prod")]
    public void ToString_ShouldRoundTripThroughParse(string text) => Assert.Equal(text, LabelMatcher.Parse(text).ToString());

    [Fact]
    public void Load_WhenRoutesAndInhibitRulesUseMatchers_ShouldMatchWithEveryOperator()
    {
        var config = ConfigLoader.Load("""
            receivers:
              - { name: team, slack: { webhookUrlParameter: /ops/slack/team } }
              - { name: oncall, pagerduty: { routingKeyParameter: /ops/pd/key } }
            route:
              receiver: team
              routes:
                - matchers: ["service!=checkout", "env=~prod|staging"]
                  match: { severity: critical }
                  receiver: oncall
            inhibit:
              - sourceMatchers: ["kind=capability"]
                targetMatchers: ["kind!=capability", "service!~billing.*"]
                equal: [service]
            """, "m.yaml");
        var tree = RouteTree.From(config);

        Assert.Equal("oncall", Assert.Single(tree.Match(new Dictionary<string, string> { ["service"] = "orders", ["env"] = "prod", ["severity"] = "critical" })).Receiver);
        Assert.Equal("team", Assert.Single(tree.Match(new Dictionary<string, string> { ["service"] = "checkout", ["env"] = "prod", ["severity"] = "critical" })).Receiver);
        Assert.Equal("team", Assert.Single(tree.Match(new Dictionary<string, string> { ["service"] = "orders", ["env"] = "dev", ["severity"] = "critical" })).Receiver);
        var rule = Assert.Single(config.Inhibit);
        Assert.True(rule.TargetMatch.Matches(new Dictionary<string, string> { ["kind"] = "component", ["service"] = "checkout" }));
        Assert.False(rule.TargetMatch.Matches(new Dictionary<string, string> { ["kind"] = "component", ["service"] = "billing-api" }));
    }

    [Theory]
    [InlineData("route:\n  receiver: team\n  routes:\n    - matchers: [\"service!checkout\"]\n      receiver: team\n", 10, "route.routes[0].matchers[0]", "character 8 ('!') after label 'service' is not one of the operators")]
    [InlineData("route:\n  receiver: team\n  matchers: [\"service=checkout\"]\n", 9, "route.matchers", "the root route matches every alert and cannot have matchers")]
    [InlineData("route:\n  receiver: team\ninhibit:\n  - sourceMatchers: [\"kind=capability\", \"kind=~(\"]\n    targetMatch: { kind: component }\n", 10, "inhibit[0].sourceMatchers[1]", "invalid regular expression '('")]
    [InlineData("route:\n  receiver: team\ninhibit:\n  - targetMatchers: [\"kind=component\"]\n", 10, "inhibit[0].sourceMatch", "is required (or sourceMatchers)")]
    public void Load_WhenAMatcherIsUnreadable_ShouldReportItsFieldAndLine(string tail, int line, string field, string fragment)
    {
        const string receivers = "receivers:\n  - name: team\n    slack: { webhookUrlParameter: /ops/slack/team }\n\n\n\n";

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(receivers + tail, "bad.yaml"));

        var error = Assert.Single(e.Errors, x => x.Field == field);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
    }
}
