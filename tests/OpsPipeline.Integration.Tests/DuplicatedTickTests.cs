using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;

namespace OpsPipeline.Integration.Tests;

/// <summary>
/// The tick runs on its own EXPRESS state machine, whose starts are at-least-once: the Scheduler's one tick may run as
/// two executions of the same input at once. Each must send nothing the other sends (issue 19): alert work is written
/// conditionally on the alert's version, and a deferred delivery is claimed by one execution (its name) before it is
/// taken.
/// </summary>
[Trait("Category", "Integration")]
public class DuplicatedTickTests
{
    [Fact]
    public async Task Tick_WhenTheSameTickRunsAsTwoExecutionsAtOnce_ShouldSendEachDueDeliveryOnce()
    {
        var clock = new ManualClock(T0);
        var config = TestConfig.Inline(File.ReadAllText(RepoPaths.SampleConfig)) with { Slos = [] };
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = config, Clock = clock });
        // The on-call receiver asks for 10 minutes (the critical page is deferred to the table); the team's digest of a
        // search alarm is due after its 30 s group wait. Both are the tick's to send.
        stack.Faults.Script("oncall", new ReceiverAnswer(429, RetryAfter: TimeSpan.FromMinutes(10)));
        Assert.Equal("SUCCEEDED", (await stack.ExecuteAsync(StateChange("checkout-db-latency", "ALARM", T0))).Status);
        Assert.Equal("SUCCEEDED", (await stack.ExecuteAsync(StateChange("search-api-errors", "ALARM", T0))).Status);
        Assert.Empty(stack.Outbound);

        clock.Now = T0.AddMinutes(11);
        var tick = LocalStack.TickInput(clock.Now);
        var both = await Task.WhenAll(stack.ExecuteAsync(tick), stack.ExecuteAsync(tick));

        Assert.All(both, t => Assert.Equal("SUCCEEDED", t.Status));
        Assert.Single(stack.Outbound, o => o.Receiver == "oncall" && o.Action == "trigger");
        Assert.Single(stack.Outbound, o => o.Receiver == "team");
        Assert.Equal(2, stack.Outbound.Count);

        // A later tick finds nothing left to send.
        clock.Now = T0.AddMinutes(12);
        await stack.ExecuteAsync(LocalStack.TickInput(clock.Now));
        Assert.Equal(2, stack.Outbound.Count);
    }

    [Fact]
    public async Task DeferredDelivery_WhenAnotherExecutionHasClaimedIt_ShouldBeLeftToItUntilItsLeasePasses()
    {
        var clock = new ManualClock(T0);
        var config = TestConfig.Inline(File.ReadAllText(RepoPaths.SampleConfig)) with { Slos = [] };
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Config = config, Clock = clock });
        var store = stack.Runtime.Deferred;
        var delivery = new OpsPipeline.Core.Decisions.Delivery
        {
            Receiver = "oncall", Channel = "pagerduty", Action = "trigger", AlertKey = "k", DedupKey = "k", PayloadUtf8 = "{}"u8.ToArray(), Target = new() { Parameter = "/ops/pagerduty/routing-key" },
        };
        await store.PutAsync(delivery, T0, CancellationToken.None);
        var key = (await stack.Dynamo.ScanAsync(new Amazon.DynamoDBv2.Model.ScanRequest { TableName = LocalStack.TableName })).Items.Single(i => i["pk"].S.StartsWith("DEFERRED#", StringComparison.Ordinal));
        // Execution A claimed it (its tick then died or is still between claim and delete).
        await stack.Dynamo.UpdateItemAsync(new Amazon.DynamoDBv2.Model.UpdateItemRequest
        {
            TableName = LocalStack.TableName,
            Key = new() { ["pk"] = key["pk"], ["sk"] = key["sk"] },
            UpdateExpression = "SET takenBy = :a, takenAt = :t",
            ExpressionAttributeValues = new() { [":a"] = new() { S = "exec-A" }, [":t"] = new() { S = "2026-03-02T09:00:00.000Z" } },
        });

        // The duplicate, B, takes nothing; A's retry takes it; nothing is left.
        Assert.Empty(await store.TakeDueAsync(T0.AddMinutes(1), "exec-B", CancellationToken.None));
        Assert.Single(await store.TakeDueAsync(T0.AddMinutes(1), "exec-A", CancellationToken.None));
        Assert.Empty(await store.TakeDueAsync(T0.AddMinutes(1), "exec-A", CancellationToken.None));

        // A claim whose tick died is free once the lease has passed: the next tick sends it, nothing is lost.
        await store.PutAsync(delivery, T0, CancellationToken.None);
        await stack.Dynamo.UpdateItemAsync(new Amazon.DynamoDBv2.Model.UpdateItemRequest
        {
            TableName = LocalStack.TableName,
            Key = new() { ["pk"] = key["pk"], ["sk"] = key["sk"] },
            UpdateExpression = "SET takenBy = :a, takenAt = :t",
            ExpressionAttributeValues = new() { [":a"] = new() { S = "exec-A" }, [":t"] = new() { S = "2026-03-02T09:00:00.000Z" } },
        });
        Assert.Empty(await store.TakeDueAsync(T0.AddMinutes(1), "exec-C", CancellationToken.None));
        Assert.Single(await store.TakeDueAsync(T0 + OpsPipeline.Functions.Adapters.DeferredDeliveryStore.TakeLease + TimeSpan.FromSeconds(1), "exec-C", CancellationToken.None));
    }
}
