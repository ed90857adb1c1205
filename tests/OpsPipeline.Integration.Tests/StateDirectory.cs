namespace OpsPipeline.Integration.Tests;

/// <summary>A fresh local state directory for one test (what `opsctl … --state` points at), removed afterwards.</summary>
internal sealed class StateDirectory : IDisposable
{
    public StateDirectory(string purpose)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"opsctl-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
