using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using StationEdge.Access;
using StationEdge.Store;
using StationEdge.Vision.Imaging;
using Xunit.Abstractions;
using HubProgram = StationEdge.Hub.Cli.Program;

namespace StationEdge.Hub.Tests;

/// <summary>
/// Roaming through two real doors: stations A and B as <c>station-edge run</c> composes them (real models, ffmpeg
/// playing a door stream made from faces-dev photos, the simulated GPIO chip, their own SQLite stores), both syncing
/// to the hub as <c>county-hub run</c> builds it, on Debian's Mosquitto and a PostgreSQL 15 cluster. RosterTests proves
/// the roster's rules on synthetic vectors; this proves a face enrolled at one door opens another.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RoamingDaemonTests(PostgresFixture pg, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const string Worker = "W1";

    /// <summary>The bound: a rider enrolled at one station opens every station of the county within a minute.</summary>
    private static readonly TimeSpan Roaming = TimeSpan.FromSeconds(60);

    /// <summary>One person in two faces-dev photos (pairs.csv: img6,img7 same): enrolled from one, walking up in the other.</summary>
    private const string EnrolPhoto = "img6.jpg";
    private const string WalkPhoto = "img7.jpg";

    [FacesDevFact]
    public async Task A_rider_enrolled_at_A_with_county_consent_walks_up_in_another_photo_at_B_and_is_let_in_then_deleted_at_the_hub_and_refused_at_both_doors()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await bed.StartHubAsync();
        using var media = new TempFolder("roaming-media-");
        var idle = Empty(media.Path, 1);
        var door = Stream(media.Path, "walk", Empty(media.Path, 1), Hold(media.Path, WalkPhoto, 2), Empty(media.Path, 2));
        var dataA = bed.Folder.File("daemon-A");
        var dataB = bed.Folder.File("daemon-B");

        var a = await DoorStation.StartAsync(bed, "A", dataA, idle);
        var b = await DoorStation.StartAsync(bed, "B", dataB, idle);
        try
        {
            await WaitForAsync(() => Task.FromResult(Connected(a) && Connected(b)), Roaming, "both stations connected");

            // A keeper at A enrols the rider from one photo, the rider consenting to the county: A's agent seals the
            // template under the county's template key and the hub sends it to every station in the roster.
            var enrolled = Stopwatch.StartNew();
            await EnrollAsync(a.Store, a.Services.GetRequiredService<StationVision>(), FacesDev.Photo(EnrolPhoto));
            await WaitForAsync(() => Task.FromResult(a.Gallery.FindWorker(Worker) is not null), Roaming, "W1 in A's door gallery");
            await WaitForAsync(async () => (await b.Store.ListTemplatesAsync(Worker)).Count == 1 && b.Gallery.FindWorker(Worker) is not null,
                Roaming, "W1's template in B's store and door gallery");
            Assert.True(enrolled.Elapsed < Roaming, $"W1 reached B after {enrolled.Elapsed.TotalSeconds:0.0} s");
            output.WriteLine($"W1 enrolled at A reached B's door gallery after {enrolled.Elapsed.TotalSeconds:0.00} s");
            Assert.Equal(ConsentScope.County, (await b.Store.GetWorkerAsync(Worker))!.ConsentScope);

            // B's door: the rider walks up, in a photo B never saw. B is started again on that stream (the camera plays a
            // file once), keeping its data folder and so the roster it was sent.
            await b.DisposeAsync();
            b = await DoorStation.StartAsync(bed, "B", dataB, door);
            var granted = await b.NextAsync<AccessGranted>();
            Assert.Equal(Worker, granted.Decision.WorkerId);
            Assert.True(granted.DoorOpened);
            await b.EndOfStreamAsync();
            Assert.Equal(1, b.RelayPulses);
            var visitAtB = Assert.Single(await b.Store.ListVisitsAsync(), v => v.Decision == VisitDecision.Granted);
            Assert.Equal(Worker, visitAtB.WorkerId);
            await WaitForAsync(async () => await bed.CountAsync($"SELECT count(*) FROM visits WHERE station_id = 'B' AND worker_id = '{Worker}' AND decision = 'granted' AND id = '{visitAtB.Id}'") == 1,
                Roaming, "B's granted visit in the county's database");

            // The county deletes the rider: both doors forget the face.
            var deleted = Stopwatch.StartNew();
            var delete = await CliAsync(bed, "workers", "delete", Worker);
            Assert.True(delete.Code == 0, delete.Stderr);
            foreach (var s in new[] { a, b })
            {
                await WaitForAsync(async () => s.Gallery.FindWorker(Worker) is null && await s.Store.GetWorkerAsync(Worker) is null
                    && (await s.Store.ListTemplatesAsync(Worker)).Count == 0, Roaming, $"W1 gone at {s.Id}");
            }

            output.WriteLine($"W1 deleted at the hub was gone from both doors after {deleted.Elapsed.TotalSeconds:0.00} s");

            // The same walk-up at both doors: refused as unknown, the relay never energised, the refusals recorded.
            await a.DisposeAsync();
            await b.DisposeAsync();
            a = await DoorStation.StartAsync(bed, "A", dataA, door);
            b = await DoorStation.StartAsync(bed, "B", dataB, door);
            foreach (var s in new[] { a, b })
            {
                var refused = await s.NextAsync<AccessRefused>();
                await s.EndOfStreamAsync();
                Assert.Equal((AccessReason.Unknown, (string?)null), (refused.Decision.Reason, refused.Decision.WorkerId));
                Assert.Empty(s.All<AccessGranted>());
                Assert.Equal(0, s.RelayPulses);
                var visits = await s.Store.ListVisitsAsync();
                Assert.Contains(visits, v => v.Decision == VisitDecision.Refused && v.Reason == "unknown" && v.WorkerId is null);
                Assert.DoesNotContain(visits, v => v.Decision == VisitDecision.Granted && v.Id != visitAtB.Id);
                await WaitForAsync(async () => await bed.CountAsync($"SELECT count(*) FROM visits WHERE station_id = '{s.Id}' AND decision = 'refused'") >= 1,
                    Roaming, $"{s.Id}'s refusal in the county's database");
            }

            Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM visits WHERE decision = 'granted'"));
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    private static bool Connected(DoorStation s) => s.Services.GetRequiredService<StationEdge.Sync.SyncAgent>().Connected;

    /// <summary>A keeper's enrolment from one photo, as <c>enroll</c> makes it, with the rider's consent covering the county.</summary>
    private static async Task EnrollAsync(StationStore store, StationVision vision, string photoPath)
    {
        var photo = await new PhotoDecoder().DecodeAsync(photoPath, CancellationToken.None);
        using var image = photo.Image;
        var verdict = vision.Gate.CheckPhoto(image, vision.Pipeline.Detect(image));
        Assert.True(verdict.Passed, verdict.Message);
        var analysis = Assert.Single(vision.Pipeline.Analyze(image, [verdict.Face!]));
        var q = verdict.Figures!;
        await store.EnrollAsync(
            new NewWorker { Id = Worker, Name = "王芳", ConsentVersion = "v2", ConsentScope = ConsentScope.County },
            [new NewTemplate(vision.EmbedderSha256, analysis.Embedding, new TemplateQuality(q.InterEyePx, q.YawDegrees, q.Sharpness, q.Brightness, q.DetectorScore))],
            new KeeperContext("站长", "site"));
    }

    /// <summary>The entrance with nobody there (MJPEG, 640×480, 15 fps).</summary>
    private static string Empty(string folder, int seconds)
    {
        var output = Path.Combine(folder, $"empty-{seconds}.mkv");
        if (!File.Exists(output))
        {
            TestFfmpeg.Run(["-f", "lavfi", "-i", $"color=c=0x202020:s=640x480:r=15:d={seconds},format=yuvj420p", "-c:v", "mjpeg", "-q:v", "3", output]);
        }

        return output;
    }

    /// <summary>The person of <paramref name="photo"/> standing at the door, the photo fitted into the camera's 640×480.</summary>
    private static string Hold(string folder, string photo, int seconds)
    {
        var output = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(photo)}-hold-{seconds}.mkv");
        TestFfmpeg.Run(["-loop", "1", "-framerate", "15", "-t", $"{seconds}", "-i", FacesDev.Photo(photo),
            "-vf", "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0x202020,fps=15,format=yuvj420p",
            "-c:v", "mjpeg", "-q:v", "3", output]);
        return output;
    }

    private static string Stream(string folder, string name, params string[] parts)
    {
        var list = Path.Combine(folder, name + ".txt");
        File.WriteAllLines(list, parts.Select(p => $"file '{p}'"));
        var output = Path.Combine(folder, name + ".mkv");
        TestFfmpeg.Run(["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", output]);
        return output;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> CliAsync(TestBed bed, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await HubProgram.RunAsync([.. args, "--config", bed.HubConfigFile()], stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within {bound.TotalSeconds} s");
            await Task.Delay(50);
        }
    }
}
