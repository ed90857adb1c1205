using System.CommandLine;
using System.CommandLine.Parsing;

namespace OpsCtl;

/// <summary>
/// The one line a wrong command line gets: the bad flag, command or value and the nearest valid one. Built from
/// System.CommandLine's own parse errors, plus one it cannot see: a mistyped flag where a command takes paths or
/// matchers lands in those arguments ("--explian" as a file), so such tokens are reported as the flags they look like.
/// </summary>
public static class UsageErrors
{
    /// <summary>The usage error of a parse, or null when the command line is valid.</summary>
    public static string? Of(ParseResult parse, IReadOnlyList<string> args)
    {
        var result = parse.CommandResult;
        var where = CommandPath(result);

        // Tokens after "--" are arguments by the user's own choice, even when they start with a dash.
        var delimiter = args.ToList().IndexOf("--");
        var literal = delimiter < 0 ? [] : args.Skip(delimiter + 1).ToHashSet(StringComparer.Ordinal);
        var flagLike = result.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value)
            .FirstOrDefault(v => v.Length > 1 && v[0] == '-' && !literal.Contains(v));
        var unmatched = parse.UnmatchedTokens.FirstOrDefault();
        if ((flagLike ?? (unmatched is { Length: > 1 } u && u[0] == '-' ? u : null)) is { } flag)
        {
            return $"{where}: unknown option '{flag}'; " + Suggest(NearestName.Of(flag, OptionNames(result)), $"see '{where} --help'");
        }

        if (unmatched is not null)
        {
            var commands = result.Command.Subcommands.Select(c => c.Name).ToList();
            return commands.Count > 0
                ? $"{where}: unknown command '{unmatched}'; " + Suggest(NearestName.Of(unmatched, commands), "one of: " + string.Join(", ", commands))
                : $"{where}: unexpected argument '{unmatched}'; see '{where} --help'";
        }

        if (parse.Errors.Count == 0)
        {
            return null;
        }

        if (result.Command.Subcommands.Count > 0 && result.Command.Action is null)
        {
            return $"{where}: missing command; one of: {string.Join(", ", result.Command.Subcommands.Select(c => c.Name))}";
        }

        // Option validators of ours write "--flag: what is wrong; did you mean …"; System.CommandLine's own messages end in a period.
        return $"{where}: {parse.Errors[0].Message.TrimEnd('.')}";
    }

    /// <summary>A validator for a flag that takes one of a few words: names the bad word and the nearest valid one.</summary>
    public static void AcceptOnly(Option<string> option, params string[] values) =>
        option.Validators.Add(r =>
        {
            var given = r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
            if (given is not null && !values.Contains(given, StringComparer.Ordinal))
            {
                r.AddError($"{option.Name}: '{given}' is not one of {string.Join(", ", values)}; " + Suggest(NearestName.Of(given, values), "one of: " + string.Join(", ", values)));
            }
        });

    /// <summary>The duration a mistyped one meant, if it is a number and a unit word ("2hours", "30 min", "1D"): "2h".</summary>
    public static string? NearestDuration(string given)
    {
        var m = System.Text.RegularExpressions.Regex.Match(given.Trim(), "^([0-9]+)\\s*([A-Za-z]+)$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        if (!m.Success)
        {
            return null;
        }

        var unit = m.Groups[2].Value.ToLowerInvariant();
        var letter = unit.StartsWith("mi", StringComparison.Ordinal) ? "m" : unit.StartsWith("mo", StringComparison.Ordinal) ? null : unit[..1];
        return letter is "s" or "m" or "h" or "d" && m.Groups[1].Value + letter != given ? m.Groups[1].Value + letter : null;
    }

    private static string Suggest(string? nearest, string otherwise) => nearest is null ? otherwise : $"did you mean '{nearest}'?";

    /// <summary>"opsctl silence add": the words that name the command.</summary>
    public static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Insert(0, c.Parent is null ? "opsctl" : c.Command.Name);
            }
        }

        return string.Join(' ', names);
    }

    /// <summary>The flags valid here: the command's own, and its ancestors' recursive ones (--debug, --help).</summary>
    private static IEnumerable<string> OptionNames(CommandResult result)
    {
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                foreach (var option in c.Command.Options.Where(o => r == result || o.Recursive))
                {
                    yield return option.Name;
                    foreach (var alias in option.Aliases)
                    {
                        yield return alias;
                    }
                }
            }
        }
    }
}
