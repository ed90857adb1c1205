using OpsCtl.Local;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>`opsctl failed list|redrive` over the failed-delivery queue a local run kept.</summary>
[Trait("Category", "Integration")]
public sealed class FailedCommandTests : IDisposable
{
    private readonly StateDirectory _dir = new("failed");

    private string StateDir => _dir.Path;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task FailedDeliveries_WhenTheReceiverRecovers_ShouldBeListedWithTheirReasonThenRedrivenOnce()
    {
        await LocalRun.RunAsync(new LocalRunOptions
        {
            Config = TestConfig.AlarmsOnly(),
            Inputs = [new("page", StateChange("checkout-api-5xx", "ALARM", T0)), new("chat", StateChange("orders-queue-age", "ALARM", T0.AddMinutes(1)))],
            Out = TextWriter.Null,
            StateDir = StateDir,
            Prepare = stack =>
            {
                stack.Faults.Always("oncall", new ReceiverAnswer(503));
                stack.Faults.Always("team", new ReceiverAnswer(404));
            },
        });

        var (_, listed, _) = await Opsctl("failed", "list", "--state", StateDir);
        Assert.Contains("2 failed deliveries", listed);
        Assert.Contains("TransientDeliveryException", listed);   // oncall: 503 after every retry
        Assert.Contains("PermanentDeliveryException", listed);   // team: 404 at once
        Assert.Contains("HTTP 503", listed);

        var (exit, output, err) = await Opsctl("failed", "redrive", "--state", StateDir);

        Assert.True(exit == 0, err);
        Assert.Contains("failed redrive: read 2, sent 2, failed 0", output);
        Assert.Contains("\"receiver\":\"oncall\"", output);
        Assert.Contains("\"receiver\":\"team\"", output);
        Assert.Contains("0 failed deliveries", (await Opsctl("failed", "list", "--state", StateDir)).Out);
    }
}
