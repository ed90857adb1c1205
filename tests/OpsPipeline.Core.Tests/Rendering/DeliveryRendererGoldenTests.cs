using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>The exact body each channel receives for the sample alarm, one golden file per case.</summary>
public class DeliveryRendererGoldenTests
{
    public static TheoryData<string, string, string, string, bool> Cases => new()
    {
        // golden name, alert, action, receiver, drill
        { "slack-trigger", "firing", "trigger", "team", false },
        { "slack-resolve", "resolved", "resolve", "team", false },
        { "slack-trigger-drill", "replayed", "trigger", "team", true },
        { "slack-repeat", "firing", "repeat", "team", false },
        { "slack-flapping", "firing", "flapping", "team", false },
        { "pagerduty-trigger", "firing", "trigger", "oncall", false },
        { "pagerduty-resolve", "resolved", "resolve", "oncall", false },
        { "pagerduty-trigger-drill", "replayed", "trigger", "oncall", true },
        { "pagerduty-flapping", "firing", "flapping", "oncall", false },
        { "sns-trigger", "firing", "trigger", "email", false },
        { "sns-resolve", "resolved", "resolve", "email", false },
        { "sns-trigger-drill", "replayed", "trigger", "email", true },
        { "sns-repeat", "firing", "repeat", "email", false },
        { "webhook-trigger", "firing", "trigger", "hook", false },
        { "webhook-resolve-drill", "resolved", "resolve", "hook", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Render_WhenSampleAlarm_ShouldMatchGoldenFile(string golden, string alert, string action, string receiver, bool drill)
    {
        var delivery = DeliveryRenderer.Render(AlertNamed(alert), action, ReceiverNamed(receiver), drill);

        GoldenFiles.AssertMatches(golden, delivery);
    }

    private static Alert AlertNamed(string name) => name switch
    {
        "firing" => SampleAlerts.Firing(),
        "resolved" => SampleAlerts.Resolved(),
        "replayed" => SampleAlerts.Replayed(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static ReceiverConfig ReceiverNamed(string name) => name switch
    {
        "team" => SampleAlerts.Team,
        "oncall" => SampleAlerts.OnCall,
        "email" => SampleAlerts.Email,
        "hook" => SampleAlerts.Hook,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
