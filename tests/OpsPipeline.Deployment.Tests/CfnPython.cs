using System.Diagnostics;

namespace OpsPipeline.Deployment.Tests;

/// <summary>
/// cfn-lint and tools/aws/expand_template.py under the Python that has cfn-lint. Every machine of this project's
/// kind has cfn-lint 1.51 under Python 3.11; when it is missing the tests fail (never skip) and say how to get it.
/// </summary>
internal static class CfnPython
{
    public const string HowToInstall = "pip install cfn-lint==1.51.0 (under Python 3.11; it brings the SAM translator)";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private static readonly Lazy<string?> FoundInterpreter = new(() =>
        new[] { "python3.11", "python3" }.FirstOrDefault(p => OnPath(p) is not null && Run(p, ["-c", "import cfnlint"]).ExitCode == 0));

    private static readonly Lazy<string?> FoundCfnLint = new(() => OnPath("cfn-lint"));

    /// <summary>python3.11, else python3, whichever first can `import cfnlint`.</summary>
    public static string Interpreter => FoundInterpreter.Value
        ?? throw new Xunit.Sdk.XunitException($"Neither python3.11 nor python3 on PATH can `import cfnlint`: {HowToInstall}.");

    /// <summary>The cfn-lint command on PATH.</summary>
    public static string CfnLint => FoundCfnLint.Value
        ?? throw new Xunit.Sdk.XunitException($"cfn-lint is not on PATH: {HowToInstall}.");

    /// <summary>`cfn-lint TEMPLATE` from the repository root (so a .cfnlintrc there applies), as a developer runs it.</summary>
    public static ProcessResult Lint(string template) => Run(CfnLint, [template]);

    /// <summary>tools/aws/expand_template.py: the template after AWS::LanguageExtensions and SAM, as JSON text.</summary>
    public static string Expand(string template, params string[] parameters)
    {
        var args = new List<string> { RepoFiles.ExpandScript, template };
        foreach (var parameter in parameters)
        {
            args.Add("--param");
            args.Add(parameter);
        }

        var result = Run(Interpreter, args);
        Assert.True(result.ExitCode == 0, $"expand_template.py {template} failed (exit {result.ExitCode}):\n{result.Output}");
        return result.Stdout;
    }

    /// <summary>Runs a command from the repository root, reading stdout and stderr to the end, within two minutes.</summary>
    public static ProcessResult Run(string command, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoFiles.Root,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{command} {string.Join(' ', psi.ArgumentList)} did not finish within {Patience}");
        }

        return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static string? OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
}

/// <summary>A finished command: exit code and everything it printed.</summary>
internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}
