namespace StationEdge.Camera.Tests.Capture;

public sealed class RestartBackoffTests
{
    private static readonly TimeSpan Healthy = TimeSpan.FromSeconds(30);

    [Fact]
    public void Next_DoublesFromTheMinimumUpToTheCap()
    {
        var backoff = new RestartBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), Healthy);
        var waits = Enumerable.Range(0, 6).Select(_ => backoff.Next(TimeSpan.Zero).TotalMilliseconds);
        Assert.Equal([500, 1000, 2000, 4000, 5000, 5000], waits);
    }

    [Fact]
    public void Next_AfterAHealthyRun_StartsAgainFromTheMinimum()
    {
        var backoff = new RestartBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), Healthy);
        backoff.Next(TimeSpan.Zero);
        backoff.Next(TimeSpan.Zero);
        backoff.Next(TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMilliseconds(4000), backoff.Next(Healthy - TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(500), backoff.Next(Healthy));
    }
}
