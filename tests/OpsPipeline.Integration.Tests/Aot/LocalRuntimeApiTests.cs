using System.Net;
using OpsCtl.Local;

namespace OpsPipeline.Integration.Tests.Aot;

/// <summary>
/// The local Runtime API refuses what Lambda's refuses. The test is the runtime here (the child process only sleeps),
/// so each refusal is seen exactly as a bootstrap would see it.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Build", "Aot")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalRuntimeApiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("local-runtime-api-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Response_WhenOver6MbOrForAnotherRequestId_ShouldBeRefusedAndTheOversizedOneFailTheInvocation()
    {
        await using var api = await StartSleeperAsync();
        var invocation = api.InvokeAsync("{}"u8.ToArray(), TimeSpan.FromSeconds(20));
        using var next = await _http.GetAsync(Url(api, "invocation/next"));
        var requestId = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single();

        using var wrongId = await _http.PostAsync(Url(api, "invocation/not-this-one/response"), new ByteArrayContent("{}"u8.ToArray()));
        using var oversized = await _http.PostAsync(Url(api, $"invocation/{requestId}/response"), new ByteArrayContent(new byte[LocalRuntimeApi.MaxResponseBytes + 1]));
        var result = await invocation;

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongId.StatusCode);
        Assert.Equal("{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}", await wrongId.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        Assert.Equal("Function.ResponseSizeTooLarge", result.FunctionError);
    }

    [Fact]
    public async Task Response_WhenExactly6Mb_ShouldBeAccepted()
    {
        await using var api = await StartSleeperAsync();
        var invocation = api.InvokeAsync("{}"u8.ToArray(), TimeSpan.FromSeconds(20));
        using var next = await _http.GetAsync(Url(api, "invocation/next"));
        var requestId = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single();

        using var response = await _http.PostAsync(Url(api, $"invocation/{requestId}/response"), new ByteArrayContent(new byte[LocalRuntimeApi.MaxResponseBytes]));
        var result = await invocation;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(result.IsError);
        Assert.Equal(LocalRuntimeApi.MaxResponseBytes, result.Payload.Length);
    }

    [Fact]
    public async Task Invoke_WhenTheRuntimeDoesNotAnswerByTheDeadline_ShouldTimeOutAndStopTheProcess()
    {
        await using var api = await StartSleeperAsync();
        var invocation = api.InvokeAsync("{}"u8.ToArray(), TimeSpan.FromSeconds(1));
        using var next = await _http.GetAsync(Url(api, "invocation/next"));

        var result = await invocation;

        Assert.Equal("Sandbox.Timedout", result.FunctionError);
        Assert.Contains("Task timed out after 1.00 seconds", result.PayloadText, StringComparison.Ordinal);
        var late = await api.InvokeAsync("{}"u8.ToArray(), TimeSpan.FromSeconds(1));
        Assert.Equal("Runtime.ExitError", late.FunctionError);
    }

    [Fact]
    public async Task InitError_WhenPostedAfterTheFirstNext_ShouldBeForbidden()
    {
        await using var api = await StartSleeperAsync();
        var invocation = api.InvokeAsync("{}"u8.ToArray(), TimeSpan.FromSeconds(20));
        using var next = await _http.GetAsync(Url(api, "invocation/next"));
        var requestId = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single();

        using var initError = await _http.PostAsync(Url(api, "init/error"), new ByteArrayContent("{\"errorType\":\"X\",\"errorMessage\":\"late\"}"u8.ToArray()));
        using var response = await _http.PostAsync(Url(api, $"invocation/{requestId}/response"), new ByteArrayContent("{}"u8.ToArray()));

        Assert.Equal(HttpStatusCode.Forbidden, initError.StatusCode);
        Assert.Null(await api.Init);
        Assert.False((await invocation).IsError);
    }

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static Uri Url(LocalRuntimeApi api, string path) => new($"http://{api.Host}/2018-06-01/runtime/{path}");

    private async Task<LocalRuntimeApi> StartSleeperAsync()
    {
        var sleeper = Path.Combine(_dir, "bootstrap");
        await File.WriteAllTextAsync(sleeper, "#!/bin/sh\nexec sleep 120\n");
        File.SetUnixFileMode(sleeper, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        return await LocalRuntimeApi.StartAsync(sleeper, "none", "ops-strict", new Dictionary<string, string>());
    }
}
