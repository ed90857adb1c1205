using System.CommandLine;

namespace OpsPipeline.Integration.Tests;

/// <summary>Runs opsctl in-process, as a user would from the shell (the same entry point as Program.cs), with its stdout and stderr captured.</summary>
internal static class CliRunner
{
    public static async Task<(int Exit, string Out, string Err)> Opsctl(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await global::OpsCtl.Cli.RunAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
