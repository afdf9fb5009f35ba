using System.Drawing;
using StationEdge.Door.Timing;
using StationEdge.Vision.Liveness;

namespace StationEdge.Access.Tests.Loop;

public sealed class WalkUpTrackerTests
{
    private static readonly RectangleF Face = new(200, 100, 120, 140);
    private readonly VirtualTimeProvider _time = new();
    private readonly AccessOptions _options = new();

    [Fact]
    public void Vote_TwoOfTheLastThreeFramesAgree_NamesTheWorker()
    {
        var walkUp = Track().Follow(Face, _time.GetTimestamp());

        Assert.Null(walkUp.Vote("W001"));
        Assert.Null(walkUp.Vote(null));
        Assert.Equal("W001", walkUp.Vote("W001"));
    }

    [Fact]
    public void Fuse_MatchesEachFrameWithTheWalkUpsLastFrames_AndForgetsOlderOnes()
    {
        _options.FuseFrames = 3;
        var walkUp = Track().Follow(Face, _time.GetTimestamp());
        float[] rider = [1, 0, 0], stranger = [0, 1, 0], other = [0, 0, 1];

        Assert.Equal(rider, walkUp.Fuse(rider));
        walkUp.Fuse(rider);
        // One frame unlike the others: the fused face stays nearest the rider's.
        var withOneOdd = walkUp.Fuse(stranger);
        Assert.Equal([2 / MathF.Sqrt(5), 1 / MathF.Sqrt(5), 0], withOneOdd, (a, b) => MathF.Abs(a - b) < 1e-6f);
        // Three frames on, the rider's two have left the window.
        walkUp.Fuse(other);
        var later = walkUp.Fuse(other);
        Assert.Equal(0f, later[0]);
        Assert.True(later[2] > later[1]);
    }

    [Fact]
    public void Fuse_OfOneFrame_IsThatFramesEmbedding()
    {
        _options.FuseFrames = 1;
        var walkUp = Track().Follow(Face, _time.GetTimestamp());
        float[] first = [1, 0, 0], second = [0, 1, 0];

        walkUp.Fuse(first);

        Assert.Same(second, walkUp.Fuse(second));
    }

    [Fact]
    public void Vote_AgreementOutsideTheWindow_DoesNotCount()
    {
        var walkUp = Track().Follow(Face, _time.GetTimestamp());

        Assert.Null(walkUp.Vote("W001"));
        Assert.Null(walkUp.Vote("W002"));
        Assert.Null(walkUp.Vote(null));
        // The first W001 has left the window of three.
        Assert.Null(walkUp.Vote("W001"));
        Assert.Equal("W001", walkUp.Vote("W001"));
    }

    [Fact]
    public void Vote_ASettledWorker_IsNotNamedAgainInTheSameWalkUp_AnotherOneIs()
    {
        var walkUp = Track().Follow(Face, _time.GetTimestamp());
        walkUp.Vote("W001");
        walkUp.Settle(walkUp.Vote("W001")!);

        Assert.Null(walkUp.Vote("W001"));
        Assert.Null(walkUp.Vote("W002"));
        Assert.Equal("W002", walkUp.Vote("W002"));
    }

    [Fact]
    public void IsDueForUnknown_AfterTheConfiguredUsableFramesWithoutAgreement_Once()
    {
        var walkUp = Track().Follow(Face, _time.GetTimestamp());
        for (var i = 0; i < _options.UnknownAfterFrames - 1; i++)
        {
            walkUp.Vote(null);
            Assert.False(walkUp.IsDueForUnknown(_options.UnknownAfterFrames));
        }

        walkUp.Vote(null);
        Assert.True(walkUp.IsDueForUnknown(_options.UnknownAfterFrames));
        walkUp.MarkUnknownRecorded();
        walkUp.Vote(null);
        Assert.False(walkUp.IsDueForUnknown(_options.UnknownAfterFrames));
    }

    [Fact]
    public void Follow_TheSameFaceMovingALittle_ContinuesTheWalkUp_AJumpOrAGapStartsANewOne()
    {
        var tracker = Track();
        var first = tracker.Follow(Face, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(66));

        Assert.Same(first, tracker.Follow(new RectangleF(210, 105, 130, 150), _time.GetTimestamp()));
        Assert.Equal(2, first.Frames);

        _time.Advance(TimeSpan.FromMilliseconds(66));
        var elsewhere = tracker.Follow(new RectangleF(500, 100, 120, 140), _time.GetTimestamp());
        Assert.NotSame(first, elsewhere);

        _time.Advance(TimeSpan.FromMilliseconds(_options.WalkUpGapMs + 1));
        tracker.Missed(_time.GetTimestamp());
        Assert.Null(tracker.Current);
        Assert.NotSame(elsewhere, tracker.Follow(new RectangleF(500, 100, 120, 140), _time.GetTimestamp()));
    }

    [Fact]
    public void Liveness_OnlyAPassingScoreIsKeptForTheAgreement()
    {
        var walkUp = Track().Follow(Face, _time.GetTimestamp());

        walkUp.RememberLive("W001", new LivenessResult(0.9f, false, 0.2f));
        Assert.Null(walkUp.LiveFor("W001"));
        walkUp.RememberLive("W001", new LivenessResult(0.01f, true, 0.2f));
        Assert.Equal(0.01f, walkUp.LiveFor("W001")?.Score);
    }

    private WalkUpTracker Track() => new(_options, _time);
}
