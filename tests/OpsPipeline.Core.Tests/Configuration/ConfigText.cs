using System.Globalization;
using System.Text;
using OpsPipeline.Core.Configuration;

namespace OpsPipeline.Core.Tests.Configuration;

/// <summary>Inline configs shared by the configuration and routing tests, and a flat dump of a loaded model.</summary>
internal static class ConfigText
{
    /// <summary>The example from ARCHITECTURE.md "Configuration", exactly as written there.</summary>
    public const string ArchitectureExample = """
        defaults:
          groupWait: 30s            # first alert of a group waits, later ones join one digest
          repeatInterval: 4h        # remind while still firing
          flapping: { changes: 4, window: 30m }   # this many changes in the window => one flapping notice, then quiet
          sendResolved: true
        alarms:                     # labels for alarms (alarm tags, when propagated, add more)
          - match: { alarmName: "~^checkout-" }
            labels: { service: checkout, severity: critical, kind: component }
          - match: { alarmName: "checkout-capability" }
            labels: { service: checkout, severity: critical, kind: capability }
        receivers:
          - name: oncall
            pagerduty: { routingKeyParameter: /ops/pagerduty/routing-key }
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
          - name: email
            sns: { topicArn: "${OpsEmailTopicArn}" }
          - name: drills
            slack: { webhookUrlParameter: /ops/slack/drills }
        route:                      # routing tree: first matching child wins unless continue: true
          receiver: team
          groupBy: [service]
          routes:
            - match: { severity: critical }
              receiver: oncall
              groupWait: 0s
              continue: true
            - match: { alarmName: "~^billing-" }
              receiver: email
        inhibit:                    # a firing capability alert silences its components
          - sourceMatch: { kind: capability }
            targetMatch: { kind: component }
            equal: [service]
        drillReceiver: drills
        slos:
          - name: checkout-availability
            objective: 99.9         # percent of good time
            window: 30d
            alarms: [checkout-api-5xx]   # time in ALARM is bad time
            burnAlerts:             # Google SRE workbook defaults
              - { long: 1h, short: 5m, burnRate: 14.4, receiver: oncall }
              - { long: 6h, short: 30m, burnRate: 6, receiver: oncall }
              - { long: 3d, short: 6h, burnRate: 1, receiver: team }
        dlq:
          groupBy: [queue, errorCode]
          receiver: team
        """;

    public const string EmailTopicArn = "arn:aws:sns:eu-west-1:123456789012:ops-email";

    public static readonly IReadOnlyDictionary<string, string> Substitutions =
        new Dictionary<string, string> { ["OpsEmailTopicArn"] = EmailTopicArn };

    public static PipelineConfig LoadExample() => ConfigLoader.Load(ArchitectureExample, "ops-pipeline.yaml", Substitutions);

    /// <summary>Every value of the model, one per line, so two configs compare as text and a diff shows what differs.</summary>
    public static string Dump(PipelineConfig c)
    {
        var s = new StringBuilder();
        var d = c.Defaults;
        Line(s, $"defaults groupWait={d.GroupWait} repeatInterval={d.RepeatInterval} flapping={d.Flapping.Changes}/{d.Flapping.Window} sendResolved={d.SendResolved}");
        foreach (var a in c.Alarms)
        {
            Line(s, $"alarm {a.Match} => {string.Join(", ", a.Labels.Select(l => $"{l.Key}={l.Value}"))}");
        }

        foreach (var r in c.Receivers)
        {
            var target = r.Settings?.Target.Parameter ?? r.Settings?.Target.TopicArn;
            Line(s, $"receiver {r.Name} {r.Channel} {target}");
        }

        DumpRoute(s, c.Route, "route");
        foreach (var i in c.Inhibit)
        {
            Line(s, $"inhibit {i.SourceMatch} -> {i.TargetMatch} equal [{string.Join(", ", i.Equal)}]");
        }

        Line(s, $"drillReceiver {c.DrillReceiver}");
        foreach (var slo in c.Slos)
        {
            Line(s, $"slo {slo.Name} objective={slo.Objective.ToString(CultureInfo.InvariantCulture)} window={slo.Window} alarms=[{string.Join(", ", slo.Alarms)}] receiver={slo.Receiver}");
            foreach (var b in slo.BurnAlerts)
            {
                Line(s, $"  burn {b.Long}/{b.Short} x{b.BurnRate.ToString(CultureInfo.InvariantCulture)} -> {b.Receiver}");
            }
        }

        if (c.Dlq is { } dlq)
        {
            Line(s, $"dlq groupBy=[{string.Join(", ", dlq.GroupBy)}] -> {dlq.Receiver}");
        }

        return s.ToString();
    }

    private static void DumpRoute(StringBuilder s, RouteConfig r, string path)
    {
        var groupBy = r.GroupBy is null ? "-" : "[" + string.Join(", ", r.GroupBy) + "]";
        Line(s, $"{path} receiver={r.Receiver ?? "-"} match={r.Match} groupBy={groupBy} groupWait={r.GroupWait?.ToString() ?? "-"} repeat={r.RepeatInterval?.ToString() ?? "-"} continue={r.Continue}");
        for (var i = 0; i < r.Routes.Count; i++)
        {
            DumpRoute(s, r.Routes[i], $"{path}/{i}");
        }
    }

    private static void Line(StringBuilder s, string text) => s.Append(text).Append('\n');
}
