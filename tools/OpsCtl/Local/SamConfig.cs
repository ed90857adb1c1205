using System.Text.RegularExpressions;

namespace OpsCtl.Local;

/// <summary>samconfig.toml as `sam deploy` reads it, for what opsctl needs: the template's parameter values and the stack's name.</summary>
public static partial class SamConfig
{
    /// <summary>
    /// The <c>parameter_overrides</c> of <c>[default.deploy.parameters]</c>: <c>Key="value" Key2="value2"</c> (values
    /// may be empty). A missing file or key is no overrides: the template's defaults apply.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParameterOverrides(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        var section = string.Empty;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1].Trim();
            }
            else if (section == "default.deploy.parameters" && OverridesLine().Match(line) is { Success: true } m)
            {
                // TOML basic string: \" inside is a quote.
                foreach (Match pair in Pair().Matches(m.Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal)))
                {
                    result[pair.Groups[1].Value] = pair.Groups[2].Value;
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The <c>stack_name</c> `sam deploy` uses: <c>[default.deploy.parameters]</c> first, then
    /// <c>[default.global.parameters]</c>, as SAM resolves it; null when neither names one (or there is no file).
    /// </summary>
    public static string? StackName(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        string? global = null, deploy = null;
        var section = string.Empty;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1].Trim();
            }
            else if (StackNameLine().Match(line) is { Success: true } m)
            {
                if (section == "default.deploy.parameters")
                {
                    deploy = m.Groups[1].Value;
                }
                else if (section == "default.global.parameters")
                {
                    global = m.Groups[1].Value;
                }
            }
        }

        return deploy ?? global;
    }

    [GeneratedRegex("""^stack_name\s*=\s*"([^"]*)"\s*$""")]
    private static partial Regex StackNameLine();

    [GeneratedRegex("""^parameter_overrides\s*=\s*"(.*)"\s*$""")]
    private static partial Regex OverridesLine();

    [GeneratedRegex("""([A-Za-z0-9]+)="([^"]*)" """ + "?")]
    private static partial Regex Pair();
}
