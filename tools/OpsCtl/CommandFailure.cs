using Amazon.Runtime;

namespace OpsCtl;

/// <summary>A failure opsctl can explain in one line, with the exit code it deserves (see <see cref="ExitCodes"/>).</summary>
public sealed class CommandFailedException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Turns an exception that escaped a command into `opsctl: WHAT: WHY` and an exit code; the stack trace only with --debug.</summary>
public static class CommandFailure
{
    public static (int Exit, string Line) Describe(Exception e, string command)
    {
        var what = command.StartsWith("opsctl ", StringComparison.Ordinal) ? command["opsctl ".Length..] : command;
        var (exit, why) = e switch
        {
            CommandFailedException f => (f.ExitCode, f.Message),
            AmazonClientException when e.Message.Contains("RegionEndpoint", StringComparison.Ordinal) =>
                (ExitCodes.Usage, "--table needs an AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region in ~/.aws/config)"),
            AmazonServiceException s => (ExitCodes.RunFailed, $"AWS {s.ErrorCode ?? s.StatusCode.ToString()}: {s.Message}"),
            AmazonClientException => (ExitCodes.RunFailed, "AWS: " + e.Message),
            FileNotFoundException f => (ExitCodes.Usage, Cli.MissingPath(f)),
            DirectoryNotFoundException => (ExitCodes.Usage, e.Message),
            UnauthorizedAccessException or IOException => (ExitCodes.RunFailed, e.Message),
            OperationCanceledException => (ExitCodes.RunFailed, "interrupted"),
            _ => (ExitCodes.RunFailed, $"{e.GetType().Name}: {e.Message}"),
        };
        return (exit, $"opsctl: {what}: {why}");
    }
}
