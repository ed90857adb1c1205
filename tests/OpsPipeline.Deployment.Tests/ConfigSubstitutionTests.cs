using OpsPipeline.Functions;

namespace OpsPipeline.Deployment.Tests;

/// <summary>What a config deployed with the functions may read from their environment (which holds their credentials).</summary>
public class ConfigSubstitutionTests
{
    [Fact]
    public void EnvironmentSubstitutions_WhenTheEnvironmentHoldsCredentials_ShouldOfferOnlyTheAllowedVariables()
    {
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY_TEST_PROBE", "secret");
        Environment.SetEnvironmentVariable("OPS_CONFIG_TEAM_CHANNEL", "payments");
        try
        {
            var offered = FunctionSettings.FromEnvironment().Substitutions;

            Assert.DoesNotContain("AWS_SECRET_ACCESS_KEY_TEST_PROBE", offered.Keys);
            Assert.DoesNotContain("PATH", offered.Keys);
            Assert.DoesNotContain("OPS_CONFIG_FILE", offered.Keys);
            Assert.Equal("payments", offered["OPS_CONFIG_TEAM_CHANNEL"]);
            Assert.All(offered.Keys, k => Assert.True(FunctionSettings.SubstitutableVariables.Contains(k) || k.StartsWith(FunctionSettings.SubstitutionPrefix, StringComparison.Ordinal), k));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY_TEST_PROBE", null);
            Environment.SetEnvironmentVariable("OPS_CONFIG_TEAM_CHANNEL", null);
        }
    }

    [Fact]
    public void TemplateEnvironment_WhenTheConfigNamesASubstitution_ShouldProvideEveryAllowedOne()
    {
        // Each allowed name is set for the functions by template.yaml (Globals.Function.Environment.Variables).
        var template = File.ReadAllText(RepoFiles.Template);
        Assert.All(FunctionSettings.SubstitutableVariables, name => Assert.Contains($"        {name}: ", template, StringComparison.Ordinal));
    }
}
