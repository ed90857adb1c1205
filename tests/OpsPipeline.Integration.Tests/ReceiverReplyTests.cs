using System.Net;
using OpsPipeline.Core.Notifiers;
using OpsPipeline.Functions.Adapters;

namespace OpsPipeline.Integration.Tests;

/// <summary>What `opsctl notify test` prints of a receiver's answer: its status and body, one line, short, and never the secret.</summary>
public sealed class ReceiverReplyTests
{
    private const string Webhook = "https://hooks.slack.example/services/T000/B000/s3cr3t-t0ken";

    /// <summary>A receiver that answers with the URL it was called at (a secret for Slack) and the given status.</summary>
    private sealed class EchoingReceiver(HttpStatusCode status, string before) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent($"{before}\nrejected {request.RequestUri}\n") });
    }

    private static async Task<ReceiverReply> AnswerAsync(HttpStatusCode status, string before = "bad")
    {
        var config = TestConfig.Sample();
        var team = config.Receivers.Single(r => r.Name == "team");
        using var http = new HttpClient(new EchoingReceiver(status, before));
        var sender = new HttpDeliverySender(http, new InMemorySecretStore(new Dictionary<string, string> { ["/ops/slack/team"] = Webhook }), new Uri("https://events.pagerduty.com/v2/enqueue"), TimeSpan.FromSeconds(5));
        return await sender.AnswerAsync(Assert.Single(TestNotice.Render(team, "tester", DateTimeOffset.UnixEpoch)), CancellationToken.None);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task AnswerAsync_WhenTheReceiverEchoesTheSecretUrl_ShouldMaskItOnOneLineWhateverTheStatus(HttpStatusCode status)
    {
        var reply = await AnswerAsync(status);

        Assert.Equal(new ReceiverReply((int)status, "bad rejected ***"), reply);
    }

    [Fact]
    public async Task AnswerAsync_WhenTheEchoedSecretFallsAtTheCut_ShouldLeaveNoPartOfIt()
    {
        // 190 characters before the URL: a cut at 200 made before masking would keep "https://ho".
        var reply = await AnswerAsync(HttpStatusCode.BadRequest, new string('x', 180));

        Assert.Equal(new ReceiverReply(400, new string('x', 180) + " rejected ***"), reply);
    }
}
