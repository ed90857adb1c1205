using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmCompare;

/// <summary>
/// Alertmanager's side: a webhook recorder and Alertmanager on 127.0.0.1, the storm replayed to its API v2 in
/// compressed wall time (storm time = start + wall elapsed × compression), both stopped at the end.
/// </summary>
public sealed class AlertmanagerRun(string binary, double compression, string workDir)
{
    /// <summary>Alertmanager's default timers, divided by the compression for its wall clock.</summary>
    public static readonly (string Name, TimeSpan Default)[] Timers =
    [
        ("GROUP_WAIT", TimeSpan.FromSeconds(30)), ("GROUP_INTERVAL", TimeSpan.FromMinutes(5)), ("REPEAT_INTERVAL", TimeSpan.FromHours(4)),
    ];

    public static string Millis(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Round(t.TotalMilliseconds)}ms");

    public async Task<IReadOnlyList<Notification>> RunAsync(IReadOnlyList<AlertPost> posts, CancellationToken ct)
    {
        Directory.CreateDirectory(workDir);
        var received = new List<(string Receiver, DateTimeOffset Wall, string Body)>();
        await using var recorder = await StartRecorderAsync(received).ConfigureAwait(false);
        var recorderUrl = recorder.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var config = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "alertmanager.yml"), ct).ConfigureAwait(false);
        config = config.Replace("{{RECORDER}}", recorderUrl, StringComparison.Ordinal);
        foreach (var (name, value) in Timers)
        {
            config = config.Replace("{{" + name + "}}", Millis(value / compression), StringComparison.Ordinal);
        }

        var configFile = Path.Combine(workDir, "alertmanager.yml");
        await File.WriteAllTextAsync(configFile, config, ct).ConfigureAwait(false);
        var port = FreePort();
        var storage = Path.Combine(workDir, "data");
        if (Directory.Exists(storage))
        {
            Directory.Delete(storage, recursive: true);
        }

        using var process = Process.Start(new ProcessStartInfo(binary)
        {
            ArgumentList = { $"--config.file={configFile}", $"--storage.path={storage}", $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException($"cannot start {binary}");
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitReadyAsync(http, process, log, ct).ConfigureAwait(false);
            var wallStart = DateTimeOffset.UtcNow;
            DateTimeOffset Wall(DateTimeOffset storm) => wallStart + ((storm - AlarmStorm.Start) / compression);
            foreach (var post in posts)
            {
                var delay = Wall(post.Event.Arrival) - DateTimeOffset.UtcNow;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                }

                using var body = new StringContent(post.Body(Wall), Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri("/api/v2/alerts", UriKind.Relative), body, ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"Alertmanager refused an alert: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
                }
            }

            // What is sent by the storm's end is counted (the pipeline's run ends there too); wait for it to arrive.
            var end = Wall(AlarmStorm.Start + AlarmStorm.Length) + TimeSpan.FromMilliseconds(200);
            if (end > DateTimeOffset.UtcNow)
            {
                await Task.Delay(end - DateTimeOffset.UtcNow, ct).ConfigureAwait(false);
            }

            lock (received)
            {
                return [.. received.Select(r => ToNotification(r.Receiver, AlarmStorm.Start + ((r.Wall - wallStart) * compression), r.Body)).Where(n => n.At <= AlarmStorm.Start + AlarmStorm.Length)];
            }
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A webhook as the receiver would count it; for oncall, Alertmanager's PagerDuty notifier's view: trigger if the group fires, keyed by the group.</summary>
    public static Notification ToNotification(string receiver, DateTimeOffset at, string body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var status = root.GetProperty("status").GetString();
        var action = $"{status} ({root.GetProperty("alerts").GetArrayLength()} alerts)";
        return receiver == "oncall"
            ? new Notification(receiver, at, root.GetProperty("groupKey").GetString(), status == "firing", action)
            : new Notification(receiver, at, Action: action);
    }

    private static async Task<WebApplication> StartRecorderAsync(List<(string, DateTimeOffset, string)> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/{receiver}", async (HttpContext context) =>
        {
            var at = DateTimeOffset.UtcNow;
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            lock (received)
            {
                received.Add(((string)context.Request.RouteValues["receiver"]!, at, body));
            }

            context.Response.StatusCode = 200;
        });
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process process, StringBuilder log, CancellationToken ct)
    {
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Alertmanager exited ({process.ExitCode}): {log}");
            }

            try
            {
                using var ready = await http.GetAsync(new Uri("/-/ready", UriKind.Relative), ct).ConfigureAwait(false);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        throw new TimeoutException($"Alertmanager not ready after 10 s: {log}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One storm event as Alertmanager API v2 gets it: the alert's labels, startsAt, and endsAt once it resolved.</summary>
public sealed record AlertPost(StormEvent Event, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>
    /// The POST body with times on Alertmanager's wall clock. A firing alert carries an endsAt past the storm's end, so
    /// resolve_timeout never ends it; the OK transition posts the real end.
    /// </summary>
    public string Body(Func<DateTimeOffset, DateTimeOffset> wall)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteStartObject("labels");
            foreach (var (k, v) in Labels)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
            w.WriteString("startsAt", wall(Event.FiringSince).UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            // An OK's endsAt is its transition's wall time, but never later than now: the post can run a fraction of a
            // millisecond ahead of that time (timers have whole milliseconds), and Alertmanager then merges it as still
            // firing (endsAt in its future) and keeps the old endsAt, so that resolve would be lost.
            var now = DateTimeOffset.UtcNow.AddMilliseconds(-1);
            var ends = Event.Firing ? wall(AlarmStorm.Start + AlarmStorm.Length + TimeSpan.FromHours(1)) : Min(wall(Event.At), now);
            w.WriteString("endsAt", ends.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
