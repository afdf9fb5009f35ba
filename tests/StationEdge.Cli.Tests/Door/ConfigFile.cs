namespace StationEdge.Cli.Tests.Door;

/// <summary>A config file in the appsettings shape, deleted with the test.</summary>
internal sealed class ConfigFile : IDisposable
{
    public ConfigFile(string json)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"station-edge-door-{Guid.NewGuid():N}.json");
        File.WriteAllText(Path, json);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
