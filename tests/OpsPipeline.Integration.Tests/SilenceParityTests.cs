using System.Globalization;
using System.Text.Json;
using static OpsPipeline.Integration.Tests.CliRunner;

namespace OpsPipeline.Integration.Tests;

/// <summary>amtool parity for silences (issue 18): positional matchers, default author and 1h, `query` with filters and `-q`, several IDs to `expire`, `update`.</summary>
[Trait("Category", "Integration")]
public sealed class SilenceParityTests : IDisposable
{
    private readonly StateDirectory _dir = new("silence-parity");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("service=checkout", "matchers", "service", "checkout")]
    [InlineData("alarmName=~^checkout-", "matchers", "alarmName", "~^checkout-")]
    [InlineData("service!=checkout", "expressions", null, "service!=checkout")]
    [InlineData("env!~dev|test", "expressions", null, "env!~dev|test")]
    public async Task SilenceAdd_WhenGivenAPositionalMatcher_ShouldRoundTripThroughQueryJson(string matcher, string field, string? label, string expected)
    {
        var id = await AddAsync(matcher, "--comment", "INC-7");

        var (exit, json, err) = await Opsctl("silence", "query", "--json", "--state", _dir.Path);

        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(json.Trim());
        var s = doc.RootElement;
        Assert.Equal(id, s.GetProperty("id").GetString());
        var stored = label is null ? s.GetProperty(field).EnumerateArray().Single().GetString() : s.GetProperty(field).GetProperty(label).GetString();
        Assert.Equal(expected, stored);
    }

    [Fact]
    public async Task SilenceAdd_WhenNoAuthorNorDurationIsGiven_ShouldBeTheUsersForOneHour()
    {
        var id = await AddAsync("service=checkout", "--comment", "deploy");

        var (_, json, _) = await Opsctl("silence", "query", "--json", "--state", _dir.Path);

        using var doc = JsonDocument.Parse(json.Trim());
        var s = doc.RootElement;
        var user = Environment.GetEnvironmentVariable("USER") is { Length: > 0 } u ? u : Environment.UserName;
        Assert.Equal((id, user), (s.GetProperty("id").GetString(), s.GetProperty("createdBy").GetString()));
        Assert.Equal(TimeSpan.FromHours(1), Time(s, "endsAt") - Time(s, "startsAt"));
    }

    [Fact]
    public async Task SilenceQuery_WhenQuiet_ShouldPrintExactlyTheMatchingIdsOnePerLine()
    {
        var checkout = await AddAsync("service=checkout", "alarmName=~^checkout-", "--comment", "a", "--duration", "2h");
        var billing = await AddAsync("service=billing", "--comment", "b", "--duration", "3h");
        var notCheckout = await AddAsync("service!=checkout", "--comment", "c", "--duration", "4h");

        var all = await Opsctl("silence", "query", "-q", "--state", _dir.Path);
        var filtered = await Opsctl("silence", "query", "service=checkout", "-q", "--state", _dir.Path);
        var negative = await Opsctl("silence", "query", "service!=checkout", "--quiet", "--state", _dir.Path);
        var regex = await Opsctl("silence", "query", "alarmName=~^checkout-", "service=checkout", "-q", "--state", _dir.Path);

        Assert.Equal((0, $"{checkout}\n{billing}\n{notCheckout}\n"), (all.Exit, all.Out.ReplaceLineEndings("\n")));
        Assert.Equal($"{checkout}\n", filtered.Out.ReplaceLineEndings("\n"));
        Assert.Equal($"{notCheckout}\n", negative.Out.ReplaceLineEndings("\n"));
        Assert.Equal($"{checkout}\n", regex.Out.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task SilenceQuery_WhenExpiredOrWithin_ShouldShowThoseSilencesOnly()
    {
        var soon = await AddAsync("service=a", "--comment", "a", "--duration", "30m");
        var later = await AddAsync("service=b", "--comment", "b", "--duration", "5h");
        var gone = await AddAsync("service=c", "--comment", "c", "--duration", "1h");
        Assert.Equal(0, (await Opsctl("silence", "expire", gone, "--state", _dir.Path)).Exit);

        var active = await Opsctl("silence", "query", "-q", "--state", _dir.Path);
        var expired = await Opsctl("silence", "query", "--expired", "-q", "--state", _dir.Path);
        var within = await Opsctl("silence", "query", "--within", "2h", "-q", "--state", _dir.Path);
        var bad = await Opsctl("silence", "query", "--within", "2hours", "--state", _dir.Path);

        Assert.Equal($"{soon}\n{later}\n", active.Out.ReplaceLineEndings("\n"));
        Assert.Equal($"{gone}\n{soon}\n{later}\n", expired.Out.ReplaceLineEndings("\n"));
        Assert.Equal($"{soon}\n", within.Out.ReplaceLineEndings("\n"));
        Assert.Equal((2, "opsctl silence query: --within: '2hours' is not a duration like 30m, 2h or 1d; did you mean '2h'?\n"), (bad.Exit, bad.Err.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task SilenceExpire_WhenGivenTwoIdsAndAnUnknownOne_ShouldExpireBothAndExit2NamingTheUnknown()
    {
        var first = await AddAsync("service=a", "--comment", "a");
        var second = await AddAsync("service=b", "--comment", "b");

        var (exit, output, err) = await Opsctl("silence", "expire", first, "deadbeef", second, "--state", _dir.Path);

        Assert.Equal(2, exit);
        Assert.Equal($"silence {first} expired\nsilence {second} expired\n", output.ReplaceLineEndings("\n"));
        Assert.Equal("opsctl silence expire: no silence deadbeef\n", err.ReplaceLineEndings("\n"));
        Assert.Equal(string.Empty, (await Opsctl("silence", "query", "-q", "--state", _dir.Path)).Out);
    }

    [Fact]
    public async Task SilenceUpdate_WhenExtended_ShouldKeepTheIdAndChangeTheEndAndComment()
    {
        var id = await AddAsync("service=checkout", "--comment", "deploy", "--duration", "1h");
        var before = Time(await QueryOneAsync(), "startsAt");

        var (exit, output, err) = await Opsctl("silence", "update", id, "--duration", "3h", "--comment", "deploy, part 2", "--state", _dir.Path);

        Assert.True(exit == 0, err);
        Assert.StartsWith($"silence {id} updated: ", output);
        var s = await QueryOneAsync();
        Assert.Equal((id, "deploy, part 2", before), (s.GetProperty("id").GetString(), s.GetProperty("comment").GetString(), Time(s, "startsAt")));
        Assert.InRange(Time(s, "endsAt") - DateTimeOffset.UtcNow, TimeSpan.FromHours(3) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(3));

        var ends = DateTimeOffset.UtcNow.AddHours(6).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Equal(0, (await Opsctl("silence", "update", id, "--ends", ends, "--state", _dir.Path)).Exit);
        Assert.Equal((ends, "deploy, part 2"), ((await QueryOneAsync()).GetProperty("endsAt").GetString(), (await QueryOneAsync()).GetProperty("comment").GetString()));
    }

    [Fact]
    public async Task SilenceUpdate_WhenTheEndIsInThePastOrTheIdUnknown_ShouldRefuseWithOneLineAndChangeNothing()
    {
        var id = await AddAsync("service=checkout", "--comment", "deploy");
        var ends = (await QueryOneAsync()).GetProperty("endsAt").GetString();

        var past = await Opsctl("silence", "update", id, "--ends", "2020-01-01T00:00:00Z", "--state", _dir.Path);
        var unknown = await Opsctl("silence", "update", "deadbeef", "--duration", "1h", "--state", _dir.Path);
        var nothing = await Opsctl("silence", "update", id, "--state", _dir.Path);

        Assert.Equal((2, "opsctl silence update: --ends: 2020-01-01T00:00:00Z is in the past\n"), (past.Exit, past.Err.ReplaceLineEndings("\n")));
        Assert.Equal((2, "opsctl silence update: no silence deadbeef\n"), (unknown.Exit, unknown.Err.ReplaceLineEndings("\n")));
        Assert.Equal((2, "opsctl silence update: give --duration, --ends or --comment\n"), (nothing.Exit, nothing.Err.ReplaceLineEndings("\n")));
        Assert.Equal(ends, (await QueryOneAsync()).GetProperty("endsAt").GetString());
    }

    /// <summary>`silence add` with these arguments in this test's state (no --author, and no --duration unless given); its id.</summary>
    private async Task<string> AddAsync(params string[] args)
    {
        var (exit, output, err) = await Opsctl(["silence", "add", .. args, "--state", _dir.Path]);
        Assert.True(exit == 0, err);
        return output.Split(' ')[1];
    }

    private async Task<JsonElement> QueryOneAsync()
    {
        var (_, json, _) = await Opsctl("silence", "query", "--json", "--state", _dir.Path);
        return JsonDocument.Parse(json.Trim()).RootElement.Clone();
    }

    private static DateTimeOffset Time(JsonElement s, string field) =>
        DateTimeOffset.Parse(s.GetProperty(field).GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
