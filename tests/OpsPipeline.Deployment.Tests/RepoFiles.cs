namespace OpsPipeline.Deployment.Tests;

/// <summary>Paths of the deployment files under test, found from the folder holding ServerlessOpsPipeline.sln.</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string Template => Path.Combine(Root, "template.yaml");

    public static string SamConfig => Path.Combine(Root, "samconfig.toml");

    public static string Asl => Path.Combine(Root, "statemachines", "alert-pipeline.asl.json");

    public static string LocalTools => Path.Combine(Root, "tools", "local");

    public static string StackScript => Path.Combine(LocalTools, "stack.mjs");

    /// <summary>tools/aws/expand_template.py: a SAM template as the plain CloudFormation AWS deploys.</summary>
    public static string ExpandScript => Path.Combine(Root, "tools", "aws", "expand_template.py");

    /// <summary>tools/aws/expand-template.sh: regenerates <see cref="ExpandedTemplate"/> (or writes to the path it is given).</summary>
    public static string ExpandWrapper => Path.Combine(Root, "tools", "aws", "expand-template.sh");

    /// <summary>The committed expansion of template.yaml the local stack checks calls against.</summary>
    public static string ExpandedTemplate => Path.Combine(LocalTools, "template.expanded.json");

    public static string AslValidator => Path.Combine(LocalTools, "node_modules", ".bin", "asl-validator");

    /// <summary>The node 22 binary from the `node@22` npm package; fails (never skips) when `npm ci` has not run.</summary>
    public static string Node
    {
        get
        {
            var node = Path.Combine(LocalTools, "node_modules", ".bin", "node");
            Assert.True(
                File.Exists(node),
                $"{node} is missing: run `npm ci` in {LocalTools} (it installs node 22, dynalite, aws-local-stepfunctions and asl-validator).");
            return node;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessOpsPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"ServerlessOpsPipeline.sln not found above {AppContext.BaseDirectory}");
    }
}
