using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>Deliveries under faults: nothing lost, nothing sent twice, nothing leaked, every failure explained.</summary>
[Trait("Category", "Integration")]
public class FaultTests
{
    private const string StormConfig = """
        alarms:
          - match: { alarmName: "~^checkout-" }
            labels: { service: checkout, severity: critical }
        receivers:
          - name: oncall
            pagerduty: { routingKeyParameter: /ops/pagerduty/routing-key }
          - name: team
            slack: { webhookUrlParameter: /ops/slack/team }
          - name: hook
            webhook: { urlParameter: /ops/webhooks/billing }
        route:
          receiver: team
          groupWait: 0s
          routes:
            - match: { severity: critical }
              receiver: oncall
            - match: { alarmName: "~^billing-" }
              receiver: hook
        """;

    private static readonly ReceiverAnswer[] Faults =
    [
        new(500),
        new(503),
        new(429, RetryAfter: TimeSpan.FromSeconds(1)),
        new(200, Delay: TimeSpan.FromSeconds(1)),   // slower than the attempt timeout: a timeout
        new(0, ResetConnection: true),
    ];

    [Fact]
    public async Task Storm_When200AlertsMeet30PercentFaultsAndAReceiverIsDown_ShouldDeliverOrParkEachOnceAndReconcile()
    {
        var names = Enumerable.Range(0, 200).Select(i => i switch
        {
            < 80 => $"checkout-step-{i}",
            < 160 => $"orders-step-{i}",
            _ => $"billing-step-{i}",
        }).ToList();
        var events = names.Select((n, i) => new EventInput(n, StateChange(n, "ALARM", T0.AddSeconds(i)))).ToList();
        var err = new StringWriter();

        var (summary, outbound, parked) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = TestConfig.Inline(StormConfig),
            Inputs = events,
            Out = TextWriter.Null,
            Err = err,
            Stack = new LocalStackOptions { Config = TestConfig.Inline(StormConfig), Clock = TimeProvider.System, DeliveryTimeout = TimeSpan.FromMilliseconds(300), RetryIntervalMs = 5 },
            Prepare = stack =>
            {
                stack.Faults.Random("oncall", 0.3, seed: 7, Faults);
                stack.Faults.Random("team", 0.3, seed: 11, Faults);
                stack.Faults.Always("hook", new ReceiverAnswer(503)); // down for the whole run
            },
        });

        var failed = parked.Where(p => p.Queue == LocalStack.FailedDeliveryQueueUrl).Select(p => JsonDocument.Parse(p.Body).RootElement).ToList();
        // Every alert accounted for: one delivery each, delivered or parked, never both, never twice.
        Assert.Equal(200, summary.Decisions["notify"]);
        Assert.Equal(200, outbound.Count + failed.Count);
        Assert.Equal(200, outbound.Select(o => o.AlertKey).Concat(failed.Select(f => f.GetProperty("alertKey").GetString()!)).Distinct().Count());
        Assert.Equal(outbound.Count(o => o.Channel == "pagerduty"), outbound.Where(o => o.Channel == "pagerduty").Select(o => o.DedupKey).Distinct().Count());
        // The receiver that was down: all 40 parked with the reason; the flaky ones: delivered after retries (seeded).
        Assert.Equal(40, failed.Count(f => f.GetProperty("receiver").GetString() == "hook"));
        Assert.All(failed, f => Assert.Contains("HTTP 503", f.GetProperty("error").GetProperty("Cause").GetString()));
        Assert.Equal(160, outbound.Count(o => o.Receiver is "oncall" or "team"));
        Assert.True(summary.InvocationsByFunction["ops-deliver"] > 200 + 40, "retries happened");
        Assert.True(summary.ExecutionsFailed == 0, err.ToString());
    }

    [Fact]
    public async Task Secrets_WhenDeliveriesFailAndSucceed_ShouldNeverAppearInAnythingThePipelineWrites()
    {
        const string planted = "PLANTED-SECRET-5f0c2b";
        var config = TestConfig.Inline(StormConfig);
        var written = new List<string>();
        var err = new StringWriter();

        var (_, outbound, parked) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = config,
            Inputs =
            [
                new("page", StateChange("checkout-api-5xx", "ALARM", T0)),
                new("chat", StateChange("orders-queue-age", "ALARM", T0.AddSeconds(1))),
                new("hook", StateChange("billing-export-lag", "ALARM", T0.AddSeconds(2))),
                new("reset", StateChange("orders-db-cpu", "ALARM", T0.AddSeconds(3))),
            ],
            Out = TextWriter.Null,
            Err = err,
            Explain = true,
            Stack = new LocalStackOptions { Config = config, Clock = TimeProvider.System, PlantedSecret = planted, DeliveryTimeout = TimeSpan.FromMilliseconds(300) },
            Prepare = stack =>
            {
                stack.Faults.Always("team", new ReceiverAnswer(0, ResetConnection: true)); // connection errors
                stack.Faults.Always("hook", new ReceiverAnswer(400));                       // permanent rejection
            },
            InspectAsync = async stack =>
            {
                written.AddRange(stack.ExecutionLog);
                written.AddRange(stack.Parked.Select(p => p.Body));
                written.AddRange(stack.Runtime.Metrics.Recent.Select(m => JsonSerializer.Serialize(m.Dimensions)));
                var table = await stack.Dynamo.ScanAsync(new ScanRequest { TableName = LocalStack.TableName });
                written.AddRange(table.Items.SelectMany(i => i.Values).Select(v => v.S ?? v.N ?? string.Empty));
            },
        });

        written.Add(err.ToString());
        Assert.Contains(outbound, o => o.Receiver == "oncall");          // the page went out, with its key, to PagerDuty only
        Assert.Equal(3, parked.Count(p => p.Queue == LocalStack.FailedDeliveryQueueUrl)); // team x2 (resets), hook (400)
        Assert.True(written.Count > 20, "the scan saw what the pipeline wrote");
        Assert.All(written, text => Assert.DoesNotContain(planted, text, StringComparison.Ordinal));
        Assert.All(written, text => Assert.DoesNotContain("/local/receivers/", text, StringComparison.Ordinal)); // no webhook URL either
    }

    [Fact]
    public async Task DynamoDb_WhenRequestsAreThrottled_ShouldStillDecideEveryEventOnceAndLoseNone()
    {
        // The sample config: checkout-api-5xx pages and backs the SLO (budget writes); orders-* go to team in digests.
        var events = Enumerable.Range(0, 24)
            .Select(i => new EventInput($"e{i}", StateChange(i % 4 == 0 ? "checkout-api-5xx" : $"orders-step-{i}", i % 8 == 4 ? "OK" : "ALARM", T0.AddSeconds(10 * i), previous: i % 8 == 4 ? "ALARM" : "OK")))
            .ToList();
        var err = new StringWriter();

        var (summary, outbound, parked) = await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = TestConfig.Sample(),
            Inputs = events,
            Out = TextWriter.Null,
            Err = err,
            Stack = new LocalStackOptions { Config = TestConfig.Sample(), Clock = TimeProvider.System, DynamoThrottleRate = 0.15 },
            InspectAsync = stack =>
            {
                Assert.True(stack.DynamoCounter.ByOperation.GetValueOrDefault("Throttled") >= 10, "throttling was injected");
                return Task.CompletedTask;
            },
        });

        Assert.True(summary.ExecutionsFailed == 0, err.ToString());
        Assert.Equal(24, summary.Decisions.Values.Sum());
        var team = string.Concat(outbound.Where(o => o.Receiver == "team").Select(o => o.Payload.GetRawText()));
        Assert.All(Enumerable.Range(0, 24).Where(i => i % 4 != 0), i => Assert.Contains($"orders-step-{i}", team));
        // Six changes in 200 s: the fourth is the flapping notice, then quiet — as without throttling. The alarm backs
        // the SLO, so its resolve is handed to the SLO's incident (one PagerDuty incident, updated, not re-opened).
        Assert.Equal(["trigger", "trigger", "flapping"],
            outbound.Where(o => o.Receiver == "oncall" && o.Action != "budget").Select(o => o.Action));
        Assert.All(outbound.Where(o => o.Receiver == "oncall"), o => Assert.Equal("slo:checkout-availability", o.Payload.GetProperty("dedup_key").GetString()));
        // Nothing sent twice. A PagerDuty resolve is only its key, so two incidents of the SLO (on the wall clock a tick may
        // close the first between the flaps) resolve with the same body: they are counted against the triggers instead.
        var resolves = outbound.Where(o => o.Channel == "pagerduty" && o.Payload.GetProperty("event_action").GetString() == "resolve").ToList();
        var rest = outbound.Except(resolves).ToList();
        Assert.Equal(rest.Count, rest.Select(o => (o.AlertKey, o.Action, o.Payload.GetRawText())).Distinct().Count());
        Assert.True(resolves.Count <= outbound.Count(o => o.Receiver == "oncall" && o.Action == "trigger"), err.ToString());
        Assert.Empty(parked);
    }
}
