using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace StationEdge.Configuration.Tests;

public sealed class ConfigFileTests
{
    private static string Failure(string path) =>
        Assert.Throws<ConfigFileException>(() => new ConfigurationBuilder().AddStationConfigFile(path)).Message;

    [Fact]
    public void JsonFile_WithComments_IsRead()
    {
        using var folder = new TempFolder();
        var path = folder.File("appsettings.json");
        File.WriteAllText(path, "{ // the station's door\n \"Door\": { \"PulseMs\": 2500, }, }");

        var configuration = new ConfigurationBuilder().AddStationConfigFile(path).Build();

        Assert.Equal("2500", configuration["Door:PulseMs"]);
    }

    [Fact]
    public async Task Fifo_IsRefusedWithoutBeingOpened()
    {
        using var folder = new TempFolder();
        var fifo = folder.File("appsettings.json");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        var read = Task.Run(() => Failure(fifo));
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Equal($"{fifo}: is a FIFO, not a regular file", await read);
    }

    [Fact]
    public void Missing_Empty_TooLarge_AndNotJson_EachSayWhich()
    {
        using var folder = new TempFolder();
        Assert.Equal($"{folder.File("none.json")}: file not found", Failure(folder.File("none.json")));

        File.WriteAllText(folder.File("empty.json"), "");
        Assert.Equal($"{folder.File("empty.json")}: the file is empty", Failure(folder.File("empty.json")));

        File.WriteAllBytes(folder.File("big.json"), new byte[ConfigFile.MaxBytes + 1]);
        Assert.Contains("is too large for a config file", Failure(folder.File("big.json")));

        File.WriteAllText(folder.File("bad.json"), "{ \"Door\": ");
        Assert.StartsWith($"{folder.File("bad.json")}: not valid JSON (", Failure(folder.File("bad.json")));

        File.WriteAllText(folder.File("list.json"), "[1, 2]");
        Assert.Contains("must be one JSON object", Failure(folder.File("list.json")));

        Assert.Equal($"{folder.Path}: is a directory, not a regular file", Failure(folder.Path));
    }

    [Fact]
    public void Messages_AreOneLine()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("bad.json"), "{\n\"Door\": {\n\"PulseMs\": }\n}");

        Assert.DoesNotContain('\n', Failure(folder.File("bad.json")));
    }
}
