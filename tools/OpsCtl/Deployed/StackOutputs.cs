using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace OpsCtl.Deployed;

/// <summary>
/// A deployed stack's names as its template writes them: String SSM parameters under <c>/&lt;stack&gt;/</c>, read in
/// one GetParametersByPath on <c>/&lt;stack&gt;</c> (what the template's OpsctlOperatorPolicy grants). Never secrets.
/// </summary>
public sealed class StackOutputs
{
    /// <summary>The parameters opsctl reads, by their name below <c>/&lt;stack&gt;/</c> (template.yaml's *Parameter resources).</summary>
    public static readonly IReadOnlyList<string> Names = [AlertTableName, FailedDeliveryQueueUrl, ParkedEventQueueUrl, EventDeliveryDeadLetterQueueUrl, DeliverFunctionArn];

    public const string AlertTableName = "AlertTableName";
    public const string FailedDeliveryQueueUrl = "FailedDeliveryQueueUrl";
    public const string ParkedEventQueueUrl = "ParkedEventQueueUrl";
    public const string EventDeliveryDeadLetterQueueUrl = "EventDeliveryDeadLetterQueueUrl";
    public const string DeliverFunctionArn = "DeliverFunctionArn";

    private readonly Dictionary<string, string> _values;

    private StackOutputs(string stack, string region, Dictionary<string, string> values)
    {
        Stack = stack;
        Region = region;
        _values = values;
    }

    public string Stack { get; }

    public string Region { get; }

    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>The path the parameters live under (and the resource GetParametersByPath is authorized against).</summary>
    public static string PathOf(string stack) => "/" + stack;

    /// <summary>Reads every parameter under /<paramref name="stack"/>; none there is a usage error naming the path looked up.</summary>
    public static async Task<StackOutputs> ReadAsync(IAmazonSimpleSystemsManagement ssm, string stack, string region, CancellationToken ct)
    {
        // A CloudFormation stack name: a letter, then letters, digits and hyphens (at most 128).
        if (!System.Text.RegularExpressions.Regex.IsMatch(stack, "^[A-Za-z][A-Za-z0-9-]{0,127}$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            throw new CommandFailedException(ExitCodes.Usage, $"--stack: '{stack}' is not a stack name (a letter, then letters, digits and hyphens)");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            var page = await ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = PathOf(stack), Recursive = false, NextToken = next }, ct).ConfigureAwait(false);
            foreach (var p in page.Parameters ?? [])
            {
                values[p.Name[(p.Name.LastIndexOf('/') + 1)..]] = p.Value;
            }

            next = page.NextToken;
        }
        while (!string.IsNullOrEmpty(next));

        if (values.Count == 0)
        {
            throw new CommandFailedException(ExitCodes.Usage, $"--stack {stack}: no parameters under {PathOf(stack)}/ in {region}: is the stack deployed in this account and region (sam deploy writes them)? Give --stack, --region or --profile");
        }

        return new StackOutputs(stack, region, values);
    }

    /// <summary>One parameter's value; missing is a usage error naming its full name.</summary>
    public string Require(string name) => _values.TryGetValue(name, out var value)
        ? value
        : throw new CommandFailedException(ExitCodes.Usage, $"--stack {Stack}: no parameter {PathOf(Stack)}/{name} in {Region}: the stack was deployed from an older template; sam deploy it again");
}
