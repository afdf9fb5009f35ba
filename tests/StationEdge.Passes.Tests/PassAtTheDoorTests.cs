using System.Device.Gpio;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StationEdge.Camera;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Store;

namespace StationEdge.Passes.Tests;

/// <summary>
/// The door as the daemon runs it — a real camera (ffmpeg playing a video), the door on the simulated chip, the real
/// store and pass book — shown printed passes: one valid, one with a changed byte, one expired, one revoked.
/// </summary>
public sealed class PassAtTheDoorTests : IAsyncDisposable
{
    private const int RelayLine = 17;
    private readonly TempFolder _folder = new("passes-door-");

    [Fact]
    public async Task PrintedPasses_OnASyntheticStream_TheValidOneOpensTheDoorOnce_TheOthersAreRefusedAndRecorded()
    {
        var data = Path.Combine(_folder.Path, "data");
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data });
        await store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "test" }, [], new KeeperContext("keeper:li"));
        var codes = await IssuePassesAsync(store.DataPath);
        var video = MakeVideo(codes);

        var logs = new LogCollector();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gpio:Driver"] = "sim",
            ["Camera:Source"] = video,
            ["Camera:Width"] = "640",
            ["Camera:Height"] = "480",
            ["Camera:Fps"] = "15",
        });
        builder.Services.AddSingleton(store);
        builder.Services.AddStationDoor(builder.Configuration);
        builder.Services.AddStationCamera(builder.Configuration);
        builder.Services.AddStationPasses(builder.Configuration);
        using var host = builder.Build();
        var door = host.Services.GetRequiredService<DoorService>();
        var chip = ((SimulatedGpioDriver)host.Services.GetRequiredService<GpioDriver>()).Chip;
        var grants = new List<string>();
        door.EventRaised += (_, e) =>
        {
            if (e is DoorGranted granted)
            {
                lock (grants)
                {
                    grants.Add(granted.By);
                }
            }
        };

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        var camera = host.Services.GetRequiredService<FrameSource>();
        while (camera.Health.State != CameraState.Ended)
        {
            await Task.Delay(100, timeout.Token);
        }

        await Task.Delay(500, timeout.Token);
        await host.StopAsync(timeout.Token);

        var visits = (await store.ListVisitsAsync()).OrderBy(v => v.Seq).ToList();
        Assert.All(visits, v => Assert.Equal(VisitMethod.Pass, v.Method));
        Assert.Equal(["pass", "pass_forged", "pass_expired", "pass_revoked"], visits.Select(v => v.Reason));
        Assert.Equal([VisitDecision.Granted, VisitDecision.Refused, VisitDecision.Refused, VisitDecision.Refused], visits.Select(v => v.Decision));
        Assert.Equal("W001", visits[0].WorkerId);
        Assert.Equal($"pass:{codes.ValidId}", Assert.Single(grants));
        var energised = chip.OutputHistory.Count(c => c.Offset == RelayLine && c.Level == PinValue.High);
        Assert.Equal(1, energised);
        Assert.True(host.Services.GetRequiredService<PassWatcher>().FramesSearched > 20);
        logs.AssertNoErrors();
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Four codes: valid, valid with one byte changed, expired (issued by a book living a day ago), revoked.</summary>
    private static async Task<(string Valid, Guid ValidId, string Forged, string Expired, string Revoked)> IssuePassesAsync(string data)
    {
        string expired;
        using (var past = PassBook.Open(data, new SettableTime { Offset = TimeSpan.FromDays(-1) }))
        {
            expired = past.CodeOf(await past.IssueWorkerPassAsync("W001", TimeSpan.FromHours(1), "keeper:li"));
        }

        using var book = PassBook.Open(data);
        var valid = await book.IssueWorkerPassAsync("W001", TimeSpan.FromHours(8), "keeper:li");
        var revoked = await book.IssueWorkerPassAsync("W001", TimeSpan.FromHours(8), "keeper:li");
        await book.RevokeAsync(revoked.Id, "keeper:li");
        var code = book.CodeOf(valid);
        // One character of the signed part changed: still well-formed base64url, no longer this station's signature.
        var at = PassToken.Prefix.Length + 12;
        var forged = code[..at] + (code[at] == 'A' ? 'B' : 'A') + code[(at + 1)..];
        return (code, valid.Id, forged, expired, book.CodeOf(revoked));
    }

    /// <summary>
    /// An 11 s 640×480 video: each pass printed on white paper, tilted 7°, held up for 2 s in turn over a grey-blue
    /// background, with sensor noise, MPEG-4 encoded.
    /// </summary>
    private string MakeVideo((string Valid, Guid ValidId, string Forged, string Expired, string Revoked) codes)
    {
        string[] texts = [codes.Valid, codes.Forged, codes.Expired, codes.Revoked];
        var args = new List<string> { "-f", "lavfi", "-i", "color=c=0x50606e:size=640x480:rate=15:duration=11" };
        var graph = new StringBuilder();
        for (var i = 0; i < texts.Length; i++)
        {
            var (pixels, side) = PassQr.Grey(texts[i], 5);
            var image = Path.Combine(_folder.Path, $"pass{i}.pgm");
            using (var file = File.Create(image))
            {
                file.Write(Encoding.ASCII.GetBytes($"P5\n{side} {side}\n255\n"));
                file.Write(pixels);
            }

            args.AddRange(["-loop", "1", "-framerate", "15", "-i", image]);
            graph.Append($"[{i + 1}]pad=iw+40:ih+40:20:20:white,format=rgb24,rotate=0.12:c=0x50606e:ow=rotw(0.12):oh=roth(0.12)[p{i}];");
        }

        var main = "0";
        for (var i = 0; i < texts.Length; i++)
        {
            var start = 0.5 + (2.5 * i);
            graph.Append($"[{main}][p{i}]overlay=170:50:enable='between(t,{start:0.0},{start + 2:0.0})'[v{i}];");
            main = $"v{i}";
        }

        graph.Append($"[{main}]noise=alls=6:allf=t,format=yuv420p[out]");
        var video = Path.Combine(_folder.Path, "door.mp4");
        args.AddRange(["-filter_complex", graph.ToString(), "-map", "[out]", "-t", "11", "-c:v", "mpeg4", "-q:v", "2", video]);
        Ffmpeg(args);
        return video;
    }

    private static void Ffmpeg(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-hide_banner", "-nostdin", "-loglevel", "error", "-y" }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            Assert.Fail("ffmpeg did not make the door video within 120 s");
        }

        Assert.True(process.ExitCode == 0, $"ffmpeg failed: {stderr.Result}");
    }
}
