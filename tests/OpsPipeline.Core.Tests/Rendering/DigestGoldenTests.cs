using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;
using OpsPipeline.Core.Notifiers;

namespace OpsPipeline.Core.Tests.Rendering;

/// <summary>The exact body each channel receives for a digest of the sample groups, one golden file per case.</summary>
public class DigestGoldenTests
{
    public static TheoryData<string, string, string, bool> Cases => new()
    {
        // golden name, group, receiver, drill
        { "slack-digest", "three", "team", false },
        { "slack-digest-drill", "three-replayed", "team", true },
        { "slack-digest-60", "sixty", "team", false },
        { "pagerduty-digest", "three", "oncall", false },
        { "pagerduty-digest-drill", "three-replayed", "oncall", true },
        { "pagerduty-digest-60", "sixty", "oncall", false },
        { "sns-digest", "three", "email", false },
        { "sns-digest-drill", "three-replayed", "email", true },
        { "sns-digest-60", "sixty", "email", false },
        { "webhook-digest", "three", "hook", false },
        { "webhook-digest-drill", "three-replayed", "hook", true },
        { "webhook-digest-60", "sixty", "hook", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RenderDigest_WhenSampleGroup_ShouldMatchGoldenFile(string golden, string group, string receiver, bool drill)
    {
        var delivery = DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, GroupNamed(group), ReceiverNamed(receiver), drill);

        GoldenFiles.AssertMatches(golden, delivery);
    }

    /// <summary>A later update of a group, in its three parts: new, still firing (a repeat and the group's other members), resolved.</summary>
    [Theory]
    [InlineData("slack-digest-update", "team")]
    [InlineData("sns-digest-update", "email")]
    [InlineData("webhook-digest-update", "hook")]
    [InlineData("teams-digest-update", "chat")]
    public void RenderDigest_WhenAGroupUpdateHasEveryPart_ShouldMatchGoldenFile(string golden, string receiver)
    {
        var (members, others) = SampleDigests.Update();

        var delivery = DeliveryRenderer.RenderDigest(SampleDigests.GroupKey, SampleDigests.GroupLabels, members, others, ReceiverNamed(receiver), drill: false);

        GoldenFiles.AssertMatches(golden, delivery);
    }

    private static IReadOnlyList<Alert> GroupNamed(string name) => name switch
    {
        "three" => SampleDigests.Three(),
        "three-replayed" => SampleDigests.ThreeReplayed(),
        "sixty" => SampleDigests.Sixty(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static ReceiverConfig ReceiverNamed(string name) => name switch
    {
        "team" => SampleAlerts.Team,
        "oncall" => SampleAlerts.OnCall,
        "email" => SampleAlerts.Email,
        "hook" => SampleAlerts.Hook,
        "chat" => Notifiers.Teams.TeamsSamples.Chat,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
