namespace OpsCtl;

/// <summary>What opsctl's exit status means; the table users read is docs/opsctl.md.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked was done.</summary>
    public const int Ok = 0;

    /// <summary>The run failed: an execution failed, IAM refused a call, a state directory was locked, AWS answered an error.</summary>
    public const int RunFailed = 1;

    /// <summary>The command line was wrong (unknown flag, bad value, missing file, a config that does not load); nothing ran.</summary>
    public const int Usage = 2;

    /// <summary>The run completed, but rejected some of its input (each rejection is named on stderr and parked).</summary>
    public const int InputRejected = 3;
}
