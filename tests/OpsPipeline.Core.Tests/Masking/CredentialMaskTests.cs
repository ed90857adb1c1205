using System.Text.Json;
using OpsPipeline.Core.Masking;
using OpsPipeline.Core.Tests.Events;

namespace OpsPipeline.Core.Tests.Masking;

/// <summary>Each kind of credential people paste into alarm text, masked with the text around it kept; ordinary text untouched.</summary>
public class CredentialMaskTests
{
    // Documentation examples and obvious fakes: nothing here is a live credential.
    internal const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    internal const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    internal const string SlackWebhook = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

    [Theory]
    [InlineData("key AKIAIOSFODNN7EXAMPLE leaked", "key [masked aws-access-key-id] leaked")]
    [InlineData("temp ASIAJEXAMPLEXEG2JICE, expires soon", "temp [masked aws-access-key-id], expires soon")]
    [InlineData("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = x", "aws_secret_access_key = [masked aws-secret-access-key]\nregion = x")]
    [InlineData("{\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}", "{\"SecretAccessKey\": \"[masked aws-secret-access-key]\"}")]
    [InlineData("bot xoxb-000000000000-0000000000000-EXAMPLEEXAMPLE00 posts", "bot [masked slack-token] posts")]
    [InlineData("user xoxp-1111-2222-3333-abcdefabcdef.", "user [masked slack-token].")]
    [InlineData("app xoxa-2-EXAMPLEEXAMPLE and xoxr-EXAMPLE000 and xoxs-EXAMPLE111", "app [masked slack-token] and [masked slack-token] and [masked slack-token]")]
    [InlineData("post to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now", "post to [masked slack-webhook-url] now")]
    [InlineData("workflow (https://hooks.slack.com/triggers/T0000/1234/abcdef) ok", "workflow ([masked slack-webhook-url]) ok")]
    [InlineData("routing_key: 0123456789abcdef0123456789abcdef.", "routing_key: [masked pagerduty-key].")]
    [InlineData("{\"routingKey\":\"0123456789ABCDEF0123456789abcdef\"}", "{\"routingKey\":\"[masked pagerduty-key]\"}")]
    [InlineData("integration_key=0123456789abcdef0123456789abcdef&x=1", "integration_key=[masked pagerduty-key]&x=1")]
    [InlineData("POST https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue failed", "POST [masked pagerduty-integration-url] failed")]
    [InlineData("db password=hunter2 rejected", "db password=[masked password] rejected")]
    [InlineData("DB_PASSWORD=hunter2", "DB_PASSWORD=[masked password]")]
    [InlineData("passwd: s3cr3t!", "passwd: [masked password]")]
    [InlineData("ran migrate --db-password=hunter2 --verbose", "ran migrate --db-password=[masked password] --verbose")]
    [InlineData("{\"password\": \"correct horse battery\", \"user\": \"a\"}", "{\"password\": \"[masked password]\", \"user\": \"a\"}")]
    [InlineData("{\\\"dbPassword\\\":\\\"hunter2\\\"}", "{\\\"dbPassword\\\":\\\"[masked password]\\\"}")]
    [InlineData("client_secret=abc123; retry", "client_secret=[masked secret]; retry")]
    [InlineData("secret='it is me'", "secret='[masked secret]'")]
    [InlineData("GET /x?token=abc.def&page=2", "GET /x?token=[masked token]&page=2")]
    [InlineData("accessToken: eyJhbGciOi.e30.sig", "accessToken: [masked token]")]
    [InlineData("api_key=AIzaEXAMPLE and X-Api-Key: k-123", "api_key=[masked api-key] and X-Api-Key: [masked api-key]")]
    [InlineData("apiKey=\"abc\"", "apiKey=\"[masked api-key]\"")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "Authorization: Bearer [masked bearer-token]")]
    [InlineData("authorization=Basic dXNlcjpwYXNz", "authorization=Basic [masked authorization]")]
    [InlineData("sent Bearer 0123456789abcdefXYZ to the API", "sent Bearer [masked bearer-token] to the API")]
    [InlineData("connect postgres://app:s3cr3t@db.internal:5432/orders failed", "connect postgres://app:[masked password]@db.internal:5432/orders failed")]
    [InlineData("https://admin:p@ss@wiki.example.com/page", "https://admin:[masked password]@wiki.example.com/page")]
    [InlineData("redis://:hunter2@cache:6379", "redis://:[masked password]@cache:6379")]
    public void Mask_WhenTheTextHoldsACredential_ShouldMaskOnlyTheValue(string text, string expected)
    {
        Assert.Equal(expected, CredentialMask.Mask(text));
        Assert.Equal(expected, CredentialMask.Mask(expected)); // masking masked text changes nothing
    }

    [Theory]
    [InlineData("Checkout API returns 5XX to more than 1% of requests.")]
    [InlineData("Threshold Crossed: 1 out of the last 1 datapoints [12.0 (14/03/25 09:21:00)] was greater than the threshold (5.0).")]
    [InlineData("ThrottledTokens: 3, MaxTokens=5000, Tokens: 12")]
    [InlineData("Bearer authentication failed for the API")]
    [InlineData("Secrets Manager rotation failed; see SecretsManager console")]
    [InlineData("Token bucket exhausted. Password reset emails delayed.")]
    [InlineData("page oncall@example.com, runbook https://runbooks.example.com/checkout/5xx?team=payments&env=prod")]
    [InlineData("https://example.com:8443/health returned 503")]
    [InlineData("AKIA is the prefix of long-term keys; AKIAIOSFODNN7EXAMPLE2 is too long to be one")]
    [InlineData("Asia Pacific (Tokyo) ap-northeast-1: PagerDuty integration healthy")]
    [InlineData("")]
    public void Mask_WhenTheTextIsOrdinary_ShouldReturnItUnchanged(string text)
    {
        Assert.Same(text, CredentialMask.Mask(text));
    }

    [Fact]
    public void Mask_WhenNull_ShouldReturnNull()
    {
        Assert.Null(CredentialMask.Mask(null));
    }

    /// <summary>Every string in every sample event and every golden payload: real alarm text must pass untouched.</summary>
    [Fact]
    public void Mask_WhenAnyStringOfTheSampleEventsOrGoldenFiles_ShouldChangeNothing()
    {
        var files = Directory.EnumerateFiles(SampleEvents.Folder, "*.json")
            .Concat(Directory.EnumerateFiles(Path.Combine(SampleEvents.RepoRoot, "tests", "OpsPipeline.Core.Tests", "Rendering", "Golden"), "*.json"))
            .ToList();
        Assert.NotEmpty(files);

        var changed = new List<string>();
        foreach (var file in files)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var text in Strings(doc.RootElement))
            {
                if (CredentialMask.Mask(text) != text)
                {
                    changed.Add($"{Path.GetFileName(file)}: {text}");
                }
            }
        }

        Assert.Empty(changed);
    }

    [Fact]
    public void Mask_WhenTheTextIsLongAndHostile_ShouldStayFastAndStillMask()
    {
        var hostile = string.Concat(Enumerable.Repeat("password_token_secret-", 5_000)) + "=" + new string('a', 50_000)
            + " https://a:" + new string('@', 20_000) + " Bearer " + new string('1', 30_000) + " password=hunter2";
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var masked = CredentialMask.Mask(hostile);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.DoesNotContain("hunter2", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("too slow", masked, StringComparison.Ordinal);
    }

    /// <summary>String values and the strings inside them (a JSON body in a string is scanned as text too).</summary>
    internal static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var s in Strings(item))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    yield return property.Name;
                    foreach (var s in Strings(property.Value))
                    {
                        yield return s;
                    }
                }

                break;
        }
    }
}
