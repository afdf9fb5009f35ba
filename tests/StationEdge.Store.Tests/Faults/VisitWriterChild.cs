using System.Diagnostics;
using System.Globalization;

namespace StationEdge.Store.Tests.Faults;

/// <summary>
/// The child of <see cref="KillDuringWriteTests"/>: records visits (each with its outbox message) as fast as it can
/// and prints each sequence number once its transaction has committed, until it is killed.
/// </summary>
internal static class VisitWriterChild
{
    public static async Task RunAsync(string dataPath)
    {
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = dataPath });
        var stdout = Console.Out;
        for (var i = 0; ; i++)
        {
            var draft = i % 3 == 0 ? Support.TestStore.Unknown() : Support.TestStore.Granted($"W{i % 50:D3}");
            var visit = await store.RecordVisitAsync(draft, v => new OutboxDraft("stations/s1/visits", $$"""{"id":"{{v.Id}}","seq":{{v.Seq}}}"""));
            stdout.WriteLine(visit.Seq.ToString(CultureInfo.InvariantCulture));
            stdout.Flush();
        }
    }

    /// <summary>Starts the child on <paramref name="dataPath"/> with its output piped back.</summary>
    public static Process Start(string dataPath)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        info.ArgumentList.Add("write-visits");
        info.ArgumentList.Add(dataPath);
        return Process.Start(info) ?? throw new InvalidOperationException("the writer child did not start");
    }
}
