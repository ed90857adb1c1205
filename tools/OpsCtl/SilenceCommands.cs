using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Silences;
using OpsPipeline.Functions.Adapters;

namespace OpsCtl;

/// <summary>`opsctl silence add|query|list|expire|update`: Alertmanager-style silences, with an author and a comment, as amtool has them.</summary>
public static class SilenceCommands
{
    public static Command Build(TimeProvider clock)
    {
        var command = new Command("silence", "Mute alerts matching labels for a time, with an author and a comment.");
        command.Subcommands.Add(Add(clock));
        command.Subcommands.Add(Query(clock, "query", "List active (and pending) silences, filtered by matchers; -q for IDs only."));
        command.Subcommands.Add(Query(clock, "list", "List active (and pending) silences; the same as query."));
        command.Subcommands.Add(Expire(clock));
        command.Subcommands.Add(Update(clock));
        return command;
    }

    private static Command Add(TimeProvider clock)
    {
        var match = new Option<string[]>("--match") { Description = "label=value, label!=value, label=~regex or label!~regex (anchored); repeat for more; all must match", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var positional = new Argument<string[]>("matchers") { Description = "More matchers, as for --match (e.g. service!=checkout)", Arity = ArgumentArity.ZeroOrMore };
        var duration = new Option<string?>("--duration") { Description = "How long from --starts, e.g. 2h, 30m, 1d; default 1h unless --ends is given" };
        var starts = new Option<string?>("--starts") { Description = "Start (ISO-8601, e.g. 2026-03-02T09:00:00Z); default now" };
        var ends = new Option<string?>("--ends") { Description = "End (ISO-8601)" };
        var author = new Option<string?>("--author") { Description = "Who is silencing; default: $USER, else the OS user name" };
        var comment = new Option<string?>("--comment") { Description = "Why (required): the incident, the ticket" };
        var targetOptions = new StateTarget.Options();
        var state = targetOptions.State;
        var table = targetOptions.Table;
        var command = new Command("add", "Add a silence.") { positional, match, duration, starts, ends, author, comment, state, table, targetOptions.Stack.Stack, targetOptions.Stack.Region, targetOptions.Stack.Profile };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var errors = new List<string>();
            var (matchers, expressions) = ParseMatchers([.. (parse.GetValue(match) ?? []).Select(m => ("--match", m)), .. (parse.GetValue(positional) ?? []).Select(m => ("matcher", m))], errors);
            var now = clock.GetUtcNow();
            var startsAt = ParseTime(parse.GetValue(starts), "--starts", errors) ?? now;
            DateTimeOffset? endsAt = ParseTime(parse.GetValue(ends), "--ends", errors);
            if (parse.GetValue(duration) is { } d)
            {
                if (endsAt is not null)
                {
                    errors.Add("--duration: give --duration or --ends, not both");
                }
                else if (ParseDuration(d, "--duration", errors) is { } span)
                {
                    endsAt = startsAt + span;
                }
            }

            // As amtool: a silence for "now, for a while" needs no times at all.
            if (endsAt is null && parse.GetValue(duration) is null && parse.GetValue(ends) is null)
            {
                endsAt = startsAt + DefaultDuration;
            }

            if (endsAt is { } e && e <= startsAt)
            {
                errors.Add("--ends: must be after --starts");
            }

            var who = parse.GetValue(author) ?? DefaultAuthor();
            var why = parse.GetValue(comment);
            if (string.IsNullOrWhiteSpace(who))
            {
                errors.Add("--author: must not be empty");
            }

            if (string.IsNullOrWhiteSpace(why))
            {
                errors.Add("--comment is required");
            }

            if (errors.Count > 0)
            {
                foreach (var message in errors)
                {
                    await error.WriteLineAsync("opsctl silence add: " + message).ConfigureAwait(false);
                }

                return 2;
            }

            var silence = new Silence
            {
                Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
                Matchers = matchers,
                Expressions = expressions,
                StartsAt = startsAt,
                EndsAt = endsAt!.Value,
                CreatedBy = who!.Trim(),
                Comment = why!.Trim(),
            };
            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            await new DynamoSilenceStore(target.Dynamo, target.Table).PutAsync(silence, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"silence {silence.Id} added: {silence.Describe()} ({Time(silence.StartsAt)} to {Time(silence.EndsAt)}): {silence.Comment}").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>amtool's default: a silence added without --ends or --duration lasts an hour.</summary>
    private static readonly TimeSpan DefaultDuration = TimeSpan.FromHours(1);

    /// <summary>Who runs opsctl, as amtool's --author default: $USER, else the OS account name.</summary>
    internal static string DefaultAuthor() =>
        Environment.GetEnvironmentVariable("USER") is { Length: > 0 } user && !string.IsNullOrWhiteSpace(user) ? user : Environment.UserName;

    /// <summary>
    /// `silence query` (and `list`, its older name): active and pending silences, newest end last; as amtool, a query matcher
    /// selects the silences that have an equal matcher, so `service=checkout` finds the silences written with it.
    /// </summary>
    private static Command Query(TimeProvider clock, string name, string description)
    {
        var matchers = new Argument<string[]>("matchers") { Description = "Show only silences that have each of these matchers (label=value, label!=value, label=~regex, label!~regex)", Arity = ArgumentArity.ZeroOrMore };
        var expired = new Option<bool>("--expired", "--all") { Description = "Include expired silences" };
        var within = new Option<string?>("--within") { Description = "Only silences that end within this duration (with --expired, also those that ended within it), e.g. 2h" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the IDs, one per line, for pipes" };
        var json = new Option<bool>("--json") { Description = "JSON lines, for scripts" };
        var targetOptions = new StateTarget.Options();
        var state = targetOptions.State;
        var table = targetOptions.Table;
        var command = new Command(name, description) { matchers, expired, within, quiet, json, state, table, targetOptions.Stack.Stack, targetOptions.Stack.Region, targetOptions.Stack.Profile };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var errors = new List<string>();
            var wanted = ParseEach((parse.GetValue(matchers) ?? []).Select(m => ("matcher", m)), errors).Select(m => m.ToString()).ToList();
            TimeSpan? span = null;
            if (parse.GetValue(within) is { } w)
            {
                span = ParseDuration(w, "--within", errors);
            }

            if (errors.Count > 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"opsctl silence {name}: " + errors[0]).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            var withExpired = parse.GetValue(expired);
            bool Shown(Silence s) => s.EndsAt > now
                ? span is not { } d || s.EndsAt <= now + d
                : withExpired && (span is not { } past || s.EndsAt >= now - past);
            var silences = (await new DynamoSilenceStore(target.Dynamo, target.Table).ListAsync(ct).ConfigureAwait(false))
                .Where(Shown)
                .Where(s => wanted.All(OwnMatchers(s).Contains))
                .OrderBy(s => s.EndsAt)
                .ToList();
            if (parse.GetValue(quiet))
            {
                foreach (var s in silences)
                {
                    await output.WriteLineAsync(s.Id).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            }

            if (parse.GetValue(json))
            {
                foreach (var s in silences)
                {
                    await output.WriteLineAsync(ToJson(s, now)).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            }

            var rows = silences.Select(s => new[] { s.Id, Matchers(s), Time(s.StartsAt), Time(s.EndsAt), s.CreatedBy, Status(s, now), s.Comment }).ToList();
            await output.WriteAsync(Table(["ID", "MATCHERS", "STARTS", "ENDS", "AUTHOR", "STATUS", "COMMENT"], rows)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A silence's matchers in one written form each (`service=checkout`, `alarmName=~^checkout-`), to compare a query's with.</summary>
    private static HashSet<string> OwnMatchers(Silence s)
    {
        var own = s.Matchers.Select(m => new LabelMatcher(m.Key, m.Value).ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var expression in s.Expressions)
        {
            try
            {
                own.Add(LabelMatcher.Parse(expression).ToString());
            }
            catch (FormatException)
            {
                own.Add(expression); // unreadable: still findable as written
            }
        }

        return own;
    }

    private static Command Expire(TimeProvider clock)
    {
        var ids = new Argument<string[]>("ID") { Description = "The silence ids (from add or query -q)", Arity = ArgumentArity.OneOrMore };
        var targetOptions = new StateTarget.Options();
        var state = targetOptions.State;
        var table = targetOptions.Table;
        var command = new Command("expire", "End silences now; alerts they held that still fire are sent at the next tick.") { ids, state, table, targetOptions.Stack.Stack, targetOptions.Stack.Region, targetOptions.Stack.Profile };
        command.SetAction(async (parse, ct) =>
        {
            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            var store = new DynamoSilenceStore(target.Dynamo, target.Table);
            var exit = ExitCodes.Ok;
            // An unknown id does not stop the others: `opsctl silence query -q … | xargs opsctl silence expire` expires what it can.
            foreach (var silenceId in (parse.GetValue(ids) ?? []).Distinct(StringComparer.Ordinal))
            {
                if (await store.ExpireAsync(silenceId, clock.GetUtcNow(), ct).ConfigureAwait(false))
                {
                    await parse.InvocationConfiguration.Output.WriteLineAsync($"silence {silenceId} expired").ConfigureAwait(false);
                }
                else
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"opsctl silence expire: no silence {silenceId}").ConfigureAwait(false);
                    exit = ExitCodes.Usage;
                }
            }

            return exit;
        });
        return command;
    }

    /// <summary>`silence update ID`: amtool's update, the same silence with a new end or comment (to extend one, or re-open an expired one).</summary>
    private static Command Update(TimeProvider clock)
    {
        var id = new Argument<string>("ID") { Description = "The silence id (from add or query)" };
        var duration = new Option<string?>("--duration") { Description = "New end: this long from now, e.g. 2h" };
        var ends = new Option<string?>("--ends") { Description = "New end (ISO-8601)" };
        var comment = new Option<string?>("--comment") { Description = "New comment" };
        var targetOptions = new StateTarget.Options();
        var state = targetOptions.State;
        var table = targetOptions.Table;
        var command = new Command("update", "Change a silence's end or comment; it keeps its id.") { id, duration, ends, comment, state, table, targetOptions.Stack.Stack, targetOptions.Stack.Region, targetOptions.Stack.Profile };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var errors = new List<string>();
            var now = clock.GetUtcNow();
            var endsAt = ParseTime(parse.GetValue(ends), "--ends", errors);
            if (parse.GetValue(duration) is { } d)
            {
                if (parse.GetValue(ends) is not null)
                {
                    errors.Add("--duration: give --duration or --ends, not both");
                }
                else if (ParseDuration(d, "--duration", errors) is { } span)
                {
                    endsAt = now + span;
                }
            }

            var why = parse.GetValue(comment);
            if (why is not null && string.IsNullOrWhiteSpace(why))
            {
                errors.Add("--comment: must not be empty");
            }
            else if (endsAt is { } past && past <= now)
            {
                errors.Add($"--ends: {Time(past)} is in the past");
            }
            else if (errors.Count == 0 && endsAt is null && why is null)
            {
                errors.Add("give --duration, --ends or --comment");
            }

            if (errors.Count > 0)
            {
                await error.WriteLineAsync("opsctl silence update: " + errors[0]).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            await using var target = await StateTarget.OpenAsync(parse, targetOptions, ct).ConfigureAwait(false);
            var store = new DynamoSilenceStore(target.Dynamo, target.Table);
            var silenceId = parse.GetValue(id)!;
            if ((await store.ListAsync(ct).ConfigureAwait(false)).FirstOrDefault(s => s.Id == silenceId) is not { } old)
            {
                await error.WriteLineAsync($"opsctl silence update: no silence {silenceId}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (endsAt is { } e && e <= old.StartsAt)
            {
                await error.WriteLineAsync($"opsctl silence update: --ends: must be after the silence's start, {Time(old.StartsAt)}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var silence = new Silence
            {
                Id = old.Id,
                Matchers = old.Matchers,
                Expressions = old.Expressions,
                StartsAt = old.StartsAt,
                EndsAt = endsAt ?? old.EndsAt,
                CreatedBy = old.CreatedBy,
                Comment = why?.Trim() ?? old.Comment,
            };
            await store.PutAsync(silence, ct).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"silence {silence.Id} updated: {silence.Describe()} ({Time(silence.StartsAt)} to {Time(silence.EndsAt)}): {silence.Comment}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Matchers in Alertmanager syntax: = and =~ as label → value (or "~regex"), as silences always stored them; != and !~
    /// (and a second matcher on one label) as expressions. An unreadable matcher is an error, never a label named "service!".
    /// </summary>
    private static (Dictionary<string, string> Matchers, List<string> Expressions) ParseMatchers(IEnumerable<(string Flag, string Text)> values, List<string> errors)
    {
        var matchers = new Dictionary<string, string>(StringComparer.Ordinal);
        var expressions = new List<string>();
        foreach (var m in ParseEach(values, errors))
        {
            if (m.Pattern is { } pattern && (!matchers.TryGetValue(m.Label, out var had) || had == pattern))
            {
                matchers[m.Label] = pattern;
            }
            else
            {
                expressions.Add(m.ToString());
            }
        }

        if (matchers.Count == 0 && expressions.Count == 0 && errors.Count == 0)
        {
            errors.Add("--match: at least one label=value is required");
        }

        return (matchers, expressions);
    }

    /// <summary>Each matcher in Alertmanager syntax; an unreadable one is an error naming the flag (or "matcher") it came from.</summary>
    private static List<LabelMatcher> ParseEach(IEnumerable<(string Flag, string Text)> values, List<string> errors)
    {
        var parsed = new List<LabelMatcher>();
        foreach (var (flag, value) in values)
        {
            try
            {
                parsed.Add(LabelMatcher.Parse(value));
            }
            catch (FormatException e) when (e.InnerException is ArgumentException regex)
            {
                errors.Add($"{flag}: '{value}': not a valid regex ({regex.Message})");
            }
            catch (FormatException e)
            {
                errors.Add($"{flag}: '{value}' is not label=value or label=~regex (nor label!=value, label!~regex): {e.Message}");
            }
        }

        return parsed;
    }

    private static TimeSpan? ParseDuration(string value, string flag, List<string> errors)
    {
        if (ConfigDuration.TryParse(value, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        errors.Add($"{flag}: '{value}' is not a duration like 30m, 2h or 1d" + (UsageErrors.NearestDuration(value) is { } meant ? $"; did you mean '{meant}'?" : string.Empty));
        return null;
    }

    private static DateTimeOffset? ParseTime(string? value, string flag, List<string> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return t;
        }

        errors.Add($"{flag}: '{value}' is not an ISO-8601 time like 2026-03-02T09:00:00Z");
        return null;
    }

    private static string Matchers(Silence s) => string.Join(",", s.Matchers.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}").Concat(s.Expressions));

    private static string Status(Silence s, DateTimeOffset now) => s.EndsAt <= now ? "expired" : s.StartsAt > now ? "pending" : "active";

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string ToJson(Silence s, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", s.Id);
            w.WritePropertyName("matchers");
            w.WriteStartObject();
            foreach (var (label, pattern) in s.Matchers.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                w.WriteString(label, pattern);
            }

            w.WriteEndObject();
            if (s.Expressions.Count > 0)
            {
                w.WritePropertyName("expressions");
                w.WriteStartArray();
                foreach (var e in s.Expressions)
                {
                    w.WriteStringValue(e);
                }

                w.WriteEndArray();
            }

            w.WriteString("startsAt", Time(s.StartsAt));
            w.WriteString("endsAt", Time(s.EndsAt));
            w.WriteString("createdBy", s.CreatedBy);
            w.WriteString("comment", s.Comment);
            w.WriteString("status", Status(s, now));
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A plain aligned text table (no colours: it is read in terminals, logs and chat alike).</summary>
    internal static string Table(string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString();
    }
}
