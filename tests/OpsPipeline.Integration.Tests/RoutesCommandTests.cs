using System.Text.Json;
using static OpsPipeline.Integration.Tests.AlarmEvents;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>`opsctl routes test|show` on a small config: receivers, route path, group key, mute state; the tree.</summary>
[Trait("Category", "Integration")]
public sealed class RoutesCommandTests : IDisposable
{
    private const string Config = """
        alarms:
          - match: { alarmName: "~^shop-" }
            labels: { service: shop, kind: component }
          - match: { alarmName: "shop-capability" }
            labels: { service: shop, kind: capability, severity: critical }
        receivers:
          - name: pager
            pagerduty: { routingKeyParameter: /ops/pd }
          - name: chat
            slack: { webhookUrlParameter: /ops/slack }
        route:
          receiver: chat
          groupBy: [service]
          routes:
            - match: { severity: critical }
              receiver: pager
              groupWait: 0s
              continue: true
            - match: { service: shop }
              receiver: chat
              groupBy: [service, alarmName]
        inhibit:
          - sourceMatch: { kind: capability }
            targetMatch: { kind: component }
            equal: [service]
        """;

    private static readonly string[] ShopApi = ["service=shop", "severity=critical", "alarmName=shop-api", "kind=component"];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "opsctl-routes-" + Guid.NewGuid().ToString("N"));

    public RoutesCommandTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(ConfigFile, Config);
    }

    private string ConfigFile => Path.Combine(_dir, "ops.yaml");

    private string State => Path.Combine(_dir, "state");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RoutesTest_WhenASilenceMatchesAtTheGivenTime_ShouldPrintReceiversPathGroupKeyAndTheSilence()
    {
        var add = await Opsctl("silence", "add", "--match", "service=shop", "--starts", "2026-03-02T09:00:00Z", "--ends", "2026-03-02T10:00:00Z",
            "--author", "alice", "--comment", "maintenance", "--state", State);
        var id = add.Out.Split(' ')[1];

        var (exit, inside, err) = await Opsctl(["routes", "test", "--config", ConfigFile, "--state", State, "--at", "2026-03-02T09:30:00Z", .. ShopApi]);
        var (_, after, _) = await Opsctl(["routes", "test", "--config", ConfigFile, "--state", State, "--at", "2026-03-02T10:00:00Z", .. ShopApi]);

        Assert.True(exit == 0, err);
        Assert.Equal($"""
            labels: {"{"}alarmName=shop-api, kind=component, service=shop, severity=critical{"}"}
            at: 2026-03-02T09:30:00Z
            RECEIVER  ROUTE PATH     GROUP KEY                                     GROUP WAIT  REPEAT
            pager     root > root/0  root/0:{"{"}service="shop"{"}"}                       0s          4h
            chat      root > root/1  root/1:{"{"}alarmName="shop-api",service="shop"{"}"}  30s         4h
            mute: silenced by {id} ({"{"}service=shop{"}"} until 2026-03-02T10:00Z by alice: maintenance)

            """, inside.ReplaceLineEndings("\n"));
        Assert.EndsWith("mute: not muted\n", after.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task RoutesTest_WhenTheCapabilityFires_ShouldShowItsComponentsInhibitedAndNotItself()
    {
        var events = Path.Combine(_dir, "capability.json");
        await File.WriteAllTextAsync(events, StateChange("shop-capability", "ALARM", T0));
        var run = await Opsctl("local", "--config", ConfigFile, "--state", State, "--out", Path.Combine(_dir, "out.jsonl"), events);
        Assert.True(run.Exit == 0, run.Err);

        var (_, component, _) = await Opsctl(["routes", "test", "--config", ConfigFile, "--state", State, "--json", .. ShopApi]);
        var (_, itself, _) = await Opsctl("routes", "test", "--config", ConfigFile, "--state", State, "--json", "service=shop", "kind=capability", "severity=critical", "alarmName=shop-capability");

        using var doc = JsonDocument.Parse(component);
        var muted = doc.RootElement.GetProperty("muted");
        Assert.Equal(("inhibition", "inhibited by shop-capability"), (muted.GetProperty("kind").GetString(), muted.GetProperty("reason").GetString()));
        using var self = JsonDocument.Parse(itself);
        Assert.Equal(JsonValueKind.Null, self.RootElement.GetProperty("muted").ValueKind);
    }

    [Fact]
    public async Task RoutesTest_WhenJson_ShouldGiveEachRouteItsPathAndGroupKey()
    {
        var (exit, json, err) = await Opsctl(["routes", "test", "--config", ConfigFile, "--state", State, "--json", "--at", "2026-03-02T09:00:00Z", .. ShopApi]);

        Assert.True(exit == 0, err);
        Assert.Equal("""
            {"labels":{"alarmName":"shop-api","kind":"component","service":"shop","severity":"critical"},"at":"2026-03-02T09:00:00Z","routes":[{"id":"root/0","receiver":"pager","path":["root","root/0"],"groupKey":"root/0:{service=\"shop\"}","groupBy":["service"],"groupWait":"0s","repeatInterval":"4h"},{"id":"root/1","receiver":"chat","path":["root","root/1"],"groupKey":"root/1:{alarmName=\"shop-api\",service=\"shop\"}","groupBy":["service","alarmName"],"groupWait":"30s","repeatInterval":"4h"}],"muted":null}
            """, json.Trim());
    }

    [Fact]
    public async Task RoutesShow_ShouldPrintTheTreeWithResolvedSettingsAndTheInhibitRules()
    {
        var (exit, text, err) = await Opsctl("routes", "show", "--config", ConfigFile);
        var (_, json, _) = await Opsctl("routes", "show", "--config", ConfigFile, "--json");

        Assert.True(exit == 0, err);
        Assert.Equal("""
            root  receiver=chat groupBy=[service] groupWait=30s repeatInterval=4h
              root/0 {severity=critical}  receiver=pager groupBy=[service] groupWait=0s repeatInterval=4h continue
              root/1 {service=shop}  receiver=chat groupBy=[service,alarmName] groupWait=30s repeatInterval=4h
            inhibit: {kind=capability} mutes {kind=component} when equal [service]

            """, text.ReplaceLineEndings("\n"));
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement.GetProperty("route");
        Assert.Equal(("root", "chat", false), (root.GetProperty("id").GetString(), root.GetProperty("receiver").GetString(), root.GetProperty("continue").GetBoolean()));
        var children = root.GetProperty("routes").EnumerateArray().ToList();
        Assert.Equal(["root/0", "root/1"], children.Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("critical", children[0].GetProperty("match").GetProperty("severity").GetString());
        Assert.True(children[0].GetProperty("continue").GetBoolean());
        Assert.Equal("{kind=capability}", doc.RootElement.GetProperty("inhibit")[0].GetProperty("sourceMatch").GetString());
    }

    [Theory]
    [InlineData("service!=checkout", "'service!=checkout' is not label=value")]
    [InlineData("service", "'service' is not label=value")]
    [InlineData("=shop", "'=shop' is not label=value")]
    public async Task RoutesTest_WhenALabelArgumentIsWrong_ShouldNameItAndExit2(string label, string expected)
    {
        var (exit, output, err) = await Opsctl("routes", "test", "--config", ConfigFile, "--state", State, "service=shop", label);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains("opsctl routes test: " + expected, err);
    }
}
