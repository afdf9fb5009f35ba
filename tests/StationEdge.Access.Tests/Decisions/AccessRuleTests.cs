using StationEdge.Store;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Recognition;

namespace StationEdge.Access.Tests.Decisions;

public sealed class AccessRuleTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly AccessPolicy Policy = new(new GalleryOptions(0.55f, 0.05f), OpeningHours.AllDay, Shanghai);

    [Fact]
    public void Decide_ActiveWorkerAboveThresholdAndMargin_IsGranted()
    {
        var decision = AccessRule.Decide(Known(0.8f, 0.3f), Worker(), Noon, Policy);

        Assert.Equal((AccessDecision.Granted, AccessReason.Matched, "W001"), (decision.Decision, decision.Reason, decision.WorkerId));
        Assert.Equal((0.8f, 0.3f), (decision.Score, decision.Margin));
        Assert.Equal("张伟", decision.WorkerName);
    }

    [Theory]
    [InlineData(0.54f, 0.3f, "below the threshold 0.55")]
    [InlineData(0.8f, 0.04f, "within 0.04 of each other")]
    public void Decide_AMatchTheGalleryCalledUnknown_IsUnknown_NamingNobody_SayingWhy(float score, float margin, string why)
    {
        var decision = AccessRule.Decide(Known(score, margin) with { Decision = MatchDecision.Unknown }, Worker(), Noon, Policy);

        Assert.Equal((AccessDecision.Refused, AccessReason.Unknown), (decision.Decision, decision.Reason));
        Assert.Null(decision.WorkerId);
        Assert.Equal(score, decision.Score);
        Assert.Contains(why, decision.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_EmptyGallery_IsUnknown_WithoutScore()
    {
        var decision = AccessRule.Decide(new Match(null, 0, 0, null, MatchDecision.Unknown), null, Noon, Policy);

        Assert.Equal((AccessReason.Unknown, (string?)null, (float?)null), (decision.Reason, decision.WorkerId, decision.Score));
    }

    [Fact]
    public void Decide_WorkerRecordGone_IsUnknown()
    {
        Assert.Equal(AccessReason.Unknown, AccessRule.Decide(Known(0.8f, 0.3f), null, Noon, Policy).Reason);
    }

    [Fact]
    public void Decide_SuspendedWorker_IsRefusedAsSuspended_NamingTheWorker()
    {
        var decision = AccessRule.Decide(Known(0.9f, 0.5f), Worker() with { Status = WorkerStatus.Suspended }, Noon, Policy);

        Assert.Equal((AccessDecision.Refused, AccessReason.Suspended, "W001"), (decision.Decision, decision.Reason, decision.WorkerId));
        Assert.Contains("suspended", decision.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ValidUntil_IsInclusive_InTheStationsTimeZone()
    {
        // 00:30 on 1 December in Shanghai is past a 30 November end date, though it is still 30 November in UTC.
        var lateOnLastDay = new DateTimeOffset(2026, 11, 30, 15, 30, 0, TimeSpan.Zero);
        var firstDayAfter = new DateTimeOffset(2026, 11, 30, 16, 30, 0, TimeSpan.Zero);
        var worker = Worker() with { ValidUntil = new DateOnly(2026, 11, 30) };

        Assert.True(AccessRule.Decide(Known(0.8f, 0.3f), worker, lateOnLastDay, Policy).IsGranted);
        var expired = AccessRule.Decide(Known(0.8f, 0.3f), worker, firstDayAfter, Policy);
        Assert.Equal((AccessReason.Expired, "W001"), (expired.Reason, expired.WorkerId));
        Assert.Contains("2026-11-30", expired.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("08:00", "20:00", 11, true)]
    [InlineData("08:00", "20:00", 21, false)]
    [InlineData("08:00", "20:00", 7, false)]
    [InlineData("18:00", "06:00", 23, true)]
    [InlineData("18:00", "06:00", 3, true)]
    [InlineData("18:00", "06:00", 12, false)]
    public void Decide_OpeningHours_RefuseOutsideThem(string opens, string closes, int localHour, bool open)
    {
        var policy = Policy with { Hours = new OpeningHours(TimeOnly.Parse(opens), TimeOnly.Parse(closes)) };
        var at = new DateTimeOffset(2026, 12, 1, localHour, 0, 0, TimeSpan.FromHours(8));

        var decision = AccessRule.Decide(Known(0.8f, 0.3f), Worker(), at, policy);

        Assert.Equal(open ? AccessReason.Matched : AccessReason.OutsideHours, decision.Reason);
    }

    [Fact]
    public void Decide_FailedLiveness_RefusesBeforeStatusIsLookedAt()
    {
        var spoof = new LivenessResult(0.9f, false, 0.2f);

        var decision = AccessRule.Decide(Known(0.9f, 0.5f), Worker() with { Status = WorkerStatus.Suspended }, Noon, Policy, spoof);

        Assert.Equal((AccessReason.Liveness, 0.9f), (decision.Reason, decision.Liveness));
        Assert.True(AccessRule.Decide(Known(0.9f, 0.5f), Worker(), Noon, Policy, new LivenessResult(0.01f, true, 0.2f)).IsGranted);
    }

    [Theory]
    [InlineData(AccessMethod.Pass, true)]
    [InlineData(AccessMethod.Face, true)]
    [InlineData(AccessMethod.Keeper, false)]
    [InlineData(AccessMethod.Remote, false)]
    public void DecideRequest_TheWorkersStatusAndValidityBindEveryMethod_TheHoursOnlyTheSelfServiceOnes(AccessMethod method, bool hoursBind)
    {
        var closed = Policy with { Hours = new OpeningHours(new TimeOnly(20, 0), new TimeOnly(21, 0)) };
        var request = new AccessRequest(method, "county:op-7") { WorkerId = "W001" };

        Assert.Equal(AccessReason.Suspended, AccessRule.Decide(request, Worker() with { Status = WorkerStatus.Suspended }, Noon, Policy).Reason);
        Assert.Equal(AccessReason.Expired, AccessRule.Decide(request, Worker() with { ValidUntil = new DateOnly(2026, 11, 30) }, Noon, Policy).Reason);
        Assert.Equal((AccessReason.Unknown, (string?)null), AccessRule.Decide(request, null, Noon, Policy) is var gone ? (gone.Reason, gone.WorkerId) : default);
        var afterHours = AccessRule.Decide(request, Worker(), Noon, closed);
        Assert.Equal(hoursBind ? AccessReason.OutsideHours : AccessReason.Matched, afterHours.Reason);
        var granted = AccessRule.Decide(request, Worker(), Noon, Policy);
        Assert.Equal((AccessDecision.Granted, "W001", "张伟"), (granted.Decision, granted.WorkerId, granted.WorkerName));
        Assert.Contains("by county:op-7", granted.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void DecideRequest_AVisitorsPass_NamesNoWorker_AndKeepsOnlyTheHours()
    {
        var closed = Policy with { Hours = new OpeningHours(new TimeOnly(20, 0), new TimeOnly(21, 0)) };
        var request = new AccessRequest(AccessMethod.Pass, "pass:1");

        Assert.True(AccessRule.Decide(request, null, Noon, Policy).IsGranted);
        Assert.Equal(AccessReason.OutsideHours, AccessRule.Decide(request, null, Noon, closed).Reason);
    }

    private static Match Known(float score, float margin) => new("W001", score, margin, "W002", MatchDecision.Known) { Threshold = 0.55f };

    private static Worker Worker() => new()
    {
        Id = "W001",
        Name = "张伟",
        Status = WorkerStatus.Active,
        ConsentAt = Noon,
        ConsentVersion = "1",
        EnrolledBy = "keeper",
        CreatedAt = Noon,
        UpdatedAt = Noon,
    };
}
