using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StationEdge.Access;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Station.Tests.Support;
using StationEdge.Store;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Recognition;

namespace StationEdge.Station.Tests.EndToEnd;

/// <summary>
/// The gallery that learns at the door (issue 19 §2), on the real models' embeddings of the demo photos and a real
/// store: the learner is fed as the access loop and the recorder feed it (a candidate, the stored visit, a pass).
/// </summary>
[Collection(StationCollection.Name)]
public sealed class GalleryLearnerTests(StationFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ClearGrant_LeavesOneLearnedTemplateTaggedWithItsVisit_ASecondTheSameDayDoesNot()
    {
        await using var door = await DoorAsync(threshold: 0.3f);
        var (walk, quality) = await EmbedAsync(WalkUpMedia.WorkerWalk);

        var first = await door.GrantAsync(walk, quality);
        Assert.Null(first.Why);
        var learned = Assert.Single(await door.Store.ListLearnedTemplatesAsync("W001"));
        Assert.Equal((first.VisitId, "clear_grant", door.Gallery.EmbedderSha256), (learned.VisitId, learned.Reason, learned.EmbedderSha256));
        Assert.Equal(2, door.Gallery.TemplateCount);

        var second = await door.GrantAsync(walk, quality);
        Assert.Null(second.TemplateId);
        Assert.Contains("less than", second.Why, StringComparison.Ordinal);
        Assert.Single(await door.Store.ListLearnedTemplatesAsync("W001"));
    }

    [Fact]
    public async Task PassConfirmedRefusal_IsLearnedWhenPlausible_AndRefusedWithTheReasonWhenTheFaceIsBelowTheFloor()
    {
        await using var door = await DoorAsync(threshold: 0.95f);
        var (stranger, strangerQuality) = await EmbedAsync(WalkUpMedia.Strangers[0]);
        Assert.True(door.Gallery.Match(stranger).Match.Score < 0.30f, "the stranger must score below the pass floor for this test");

        var borrowed = await door.RefusedThenPassAsync(stranger, strangerQuality);
        Assert.Null(borrowed.TemplateId);
        Assert.Contains("impostor-tail floor", borrowed.Why, StringComparison.Ordinal);
        Assert.Empty(await door.Store.ListLearnedTemplatesAsync("W001"));
        var audit = await door.Store.ListAuditAsync();
        Assert.Contains(audit, a => a.Action == "worker.templates.learned.refused" && a.Details!.Contains(borrowed.VisitId.ToString(), StringComparison.Ordinal));

        var (walk, quality) = await EmbedAsync(WalkUpMedia.WorkerWalk);
        var own = await door.RefusedThenPassAsync(walk, quality);
        Assert.Null(own.Why);
        var learned = Assert.Single(await door.Store.ListLearnedTemplatesAsync("W001"));
        Assert.Equal((own.VisitId, "pass_confirmed"), (learned.VisitId, learned.Reason));
    }

    [Theory]
    [InlineData(0.01f)] // granted just above the threshold: not clear
    [InlineData(0.20f)] // a threshold far too low, so clear: the centroid cap still refuses a stranger's face
    public async Task StrangerGrantedOnce_IsNotGrantedMoreEasilyAfterwards(float grantedBy)
    {
        var (stranger, quality) = await EmbedAsync(WalkUpMedia.Strangers[1]);
        float score;
        await using (var probe = await DoorAsync(threshold: 0.5f))
        {
            score = probe.Gallery.Match(stranger).Match.Score;
        }

        await using var door = await DoorAsync(threshold: score - grantedBy);
        var before = door.Gallery.Match(stranger).Match;
        Assert.True(before.IsKnown, "the stranger must be granted once for this test");

        var result = await door.GrantAsync(stranger, quality);

        Assert.Null(result.TemplateId);
        Assert.Empty(await door.Store.ListLearnedTemplatesAsync("W001"));
        var after = door.Gallery.Match(stranger).Match;
        Assert.True(after.Score <= before.Score && after.Threshold >= before.Threshold, $"score {before.Score} → {after.Score}, threshold {before.Threshold} → {after.Threshold}");
    }

    [Fact]
    public async Task LearnedTemplates_AreNeverUsedOrMadeAcrossEmbedders()
    {
        await using var door = await DoorAsync(threshold: 0.3f);
        var (walk, quality) = await EmbedAsync(WalkUpMedia.WorkerWalk);
        Assert.Null((await door.GrantAsync(walk, quality)).Why);

        // Another embedder's (or alignment's) gallery on the same store sees neither the enrolment nor the learned template.
        using (var other = await StationGallery.LoadAsync(door.Store, new string('2', 64), walk.Length, new GalleryOptions(0.3f, 0f), NullLogger<StationGallery>.Instance, default))
        {
            Assert.Equal(0, other.TemplateCount);
        }

        // A worker enrolled only with another embedder's template learns nothing from this embedder's door.
        await door.Store.EnrollAsync(new NewWorker { Id = "W002", Name = "李娜", ConsentVersion = "1" }, [new NewTemplate(new string('2', 64), walk, quality)], new KeeperContext("test"));
        var outcome = await door.Store.AddLearnedTemplateAsync("W002", new NewTemplate(door.Gallery.EmbedderSha256, walk, quality), Guid.NewGuid(), LearnReason.ClearGrant, 3, TimeSpan.FromDays(1));
        Assert.Null(outcome.Id);
        Assert.Empty(await door.Store.ListLearnedTemplatesAsync("W002"));
    }

    private async Task<(float[] Embedding, TemplateQuality Quality)> EmbedAsync(DemoFace face)
    {
        var photo = await new PhotoDecoder().DecodeAsync(WalkUpMedia.Cut(face, fixture.MediaFolder), CancellationToken.None);
        using var image = photo.Image;
        var verdict = fixture.Vision.Gate.CheckPhoto(image, fixture.Vision.Pipeline.Detect(image));
        Assert.True(verdict.Passed, verdict.Message);
        var analysis = Assert.Single(fixture.Vision.Pipeline.Analyze(image, [verdict.Face!]));
        var q = verdict.Figures!;
        return (analysis.Embedding, new TemplateQuality(q.InterEyePx, q.YawDegrees, q.Sharpness, q.Brightness, q.DetectorScore));
    }

    private async Task<LearningDoor> DoorAsync(float threshold)
    {
        var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data.Path }, NullLogger<StationStore>.Instance);
        var policy = new AccessPolicy(new GalleryOptions(threshold, 0f), OpeningHours.AllDay, TimeZoneInfo.Utc);
        var gallery = await fixture.Vision.LoadGalleryAsync(store, policy, NullLogger<StationGallery>.Instance, default);
        var events = new StationEvents();
        var learner = new GalleryLearner(() => store, () => gallery, events, Options.Create(new AccessOptions { Margin = 0f }), NullLogger<GalleryLearner>.Instance);
        await learner.StartAsync(default);
        return new LearningDoor(data, store, gallery, events, learner);
    }

    private sealed class LearningDoor(TempFolder data, StationStore store, StationGallery gallery, StationEvents events, GalleryLearner learner) : IAsyncDisposable
    {
        private DateTimeOffset _clock = DateTimeOffset.UtcNow;

        public StationStore Store => store;

        public StationGallery Gallery => gallery;

        /// <summary>A face grant as the loop and the recorder report it: the candidate, then its stored visit.</summary>
        public async Task<LearnResult> GrantAsync(float[] probe, TemplateQuality quality)
        {
            var match = gallery.Match(probe);
            var decision = AccessRule.Decide(match.Match, match.Worker, Tick(), AccessPolicy.Default with { Gallery = new GalleryOptions(match.Match.Threshold, 0f) }, null) with { Liveness = 0.1f };
            Assert.True(decision.IsGranted, decision.Detail);
            return await SettleAsync(decision, probe, quality, match.Match.Threshold, pass: false);
        }

        /// <summary>An unknown face, then W001's pass at the door ten seconds later.</summary>
        public async Task<LearnResult> RefusedThenPassAsync(float[] probe, TemplateQuality quality)
        {
            var match = gallery.Match(probe);
            var decision = AccessRule.Unknown(match.Match, Tick(), "test");
            return await SettleAsync(decision, probe, quality, match.Match.Threshold, pass: true);
        }

        public async ValueTask DisposeAsync()
        {
            await learner.StopAsync(default);
            learner.Dispose();
            gallery.Dispose();
            await store.DisposeAsync();
            data.Dispose();
        }

        private DateTimeOffset Tick() => _clock = _clock.AddMinutes(1);

        private async Task<LearnResult> SettleAsync(FrameDecision decision, float[] probe, TemplateQuality quality, float threshold, bool pass)
        {
            var settled = new TaskCompletionSource<LearnResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnSettled(LearnResult r) => settled.TrySetResult(r);
            learner.Settled += OnSettled;
            try
            {
                var visit = await store.RecordVisitAsync(new VisitDraft(decision.IsGranted ? VisitDecision.Granted : VisitDecision.Refused, decision.Reason)
                {
                    WorkerId = decision.WorkerId,
                    Score = decision.Score,
                    Margin = decision.Margin,
                    Time = decision.Time,
                });
                Assert.True(learner.Offer(new LearnCandidate(decision, probe, threshold, decision.IsGranted, quality)));
                events.Publish(new VisitRecorded(visit));
                if (pass)
                {
                    var used = await store.RecordVisitAsync(new VisitDraft(VisitDecision.Granted, "pass", VisitMethod.Pass) { WorkerId = "W001", Time = decision.Time.AddSeconds(10) });
                    events.Publish(new PassDecided(used, Guid.NewGuid(), "王芳", null));
                }

                var result = await settled.Task.WaitAsync(Bound);
                Assert.Equal(visit.Id, result.VisitId);
                return result;
            }
            finally
            {
                learner.Settled -= OnSettled;
            }
        }
    }
}
