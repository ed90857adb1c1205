namespace OpsPipeline.Core.Tests.Decisions;

/// <summary>
/// Inline configs for the decision tests. checkout-* alarms are critical and go to oncall (PagerDuty) and team
/// (Slack); billing-* alarms are warnings and go to team only, so most scenarios read with one receiver.
/// </summary>
internal static class DecisionConfigs
{
    public const string Labels = """
        alarms:
          - match: { alarmName: "~^checkout-" }
            labels: { service: checkout, severity: critical, kind: component }
          - match: { alarmName: "checkout-capability" }
            labels: { service: checkout, severity: critical, kind: capability }
          - match: { alarmName: "~^billing-" }
            labels: { service: billing, severity: warning, kind: component }
          - match: { alarmName: "~^payments-" }
            labels: { service: payments, severity: critical, kind: component }
          - match: { alarmName: "~^search-" }
            labels: { service: search, severity: warning, kind: component }
        """;

    /// <summary>No group wait: Decide sends at once. Inhibition: a firing capability mutes its service's components.</summary>
    public static string Immediate(string repeatInterval = "4h", bool sendResolved = true, string flapping = "{ changes: 4, window: 30m }") => $$"""
        defaults:
          groupWait: 0s
          repeatInterval: {{repeatInterval}}
          flapping: {{flapping}}
          sendResolved: {{(sendResolved ? "true" : "false")}}
        {{Labels}}
        receivers:
          - name: oncall
            pagerduty: { routingKeyParameter: /ops/pagerduty/routing-key }
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
          - name: drills
            slack: { webhookUrlParameter: /ops/slack/drills }
        route:
          receiver: team
          groupBy: [service]
          routes:
            - match: { severity: critical }
              receiver: oncall
              continue: true
            - match: { severity: critical }
              receiver: team
        inhibit:
          - sourceMatch: { kind: capability }
            targetMatch: { kind: component }
            equal: [service]
        drillReceiver: drills
        """;

    /// <summary>
    /// groupWait 30s by service to a webhook (whose digest body carries a count); payments-* to PagerDuty, also
    /// grouped; search-* to Slack with groupWait 0s.
    /// </summary>
    public static string Grouped(string repeatInterval = "4h") => $$"""
        defaults:
          groupWait: 30s
          repeatInterval: {{repeatInterval}}
          flapping: { changes: 4, window: 30m }
          sendResolved: true
        {{Labels}}
        receivers:
          - name: hook
            webhook: { urlParameter: /ops/webhook/incidents }
          - name: oncall
            pagerduty: { routingKeyParameter: /ops/pagerduty/routing-key }
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
        route:
          receiver: hook
          groupBy: [service]
          routes:
            - match: { service: payments }
              receiver: oncall
            - match: { service: search }
              receiver: team
              groupWait: 0s
        inhibit:
          - sourceMatch: { kind: capability }
            targetMatch: { kind: component }
            equal: [service]
        """;
}
