namespace OpsCtl.Deployed;

/// <summary>What an operator's call made by opsctl --stack or notify test acts on, as the template names it.</summary>
public enum OperatorResource
{
    /// <summary>The stack's parameter path, /&lt;stack&gt; (GetParametersByPath is authorized against the path asked for).</summary>
    StackParameterPath,

    /// <summary>The Deliver function.</summary>
    DeliverFunction,
}

/// <summary>One AWS call opsctl makes as the operator, and the code that makes it.</summary>
public sealed record OperatorCall(string Action, OperatorResource Resource, string MadeBy);

/// <summary>
/// The calls --stack and notify test add to what an operator's identity needs. A deployment test holds them against the
/// template's OpsctlOperatorPolicy in both directions (no call without a grant, no grant without a call), and the local
/// stack checks them as that policy's identity when notify test runs with --local.
/// </summary>
public static class OperatorCalls
{
    public static readonly IReadOnlyList<OperatorCall> All =
    [
        new("ssm:GetParametersByPath", OperatorResource.StackParameterPath, "StackOutputs.ReadAsync"),
        new("lambda:InvokeFunction", OperatorResource.DeliverFunction, "LambdaInvoke.InvokeAsync (notify test)"),
    ];
}
