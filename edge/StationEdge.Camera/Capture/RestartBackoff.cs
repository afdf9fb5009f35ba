namespace StationEdge.Camera;

/// <summary>
/// How long to wait before starting ffmpeg again: the minimum after a failure, doubling with each failure after it up
/// to the maximum, and back to the minimum once a run has stayed healthy long enough.
/// </summary>
internal sealed class RestartBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly TimeSpan _healthy;
    private TimeSpan _next;

    public RestartBackoff(TimeSpan min, TimeSpan max, TimeSpan healthy)
    {
        _min = min;
        _max = max;
        _healthy = healthy;
        _next = min;
    }

    /// <summary>The wait after a run that delivered frames for <paramref name="healthyFor"/> and then failed.</summary>
    public TimeSpan Next(TimeSpan healthyFor)
    {
        if (healthyFor >= _healthy)
        {
            _next = _min;
        }

        var delay = _next;
        _next = _next >= _max / 2 ? _max : _next * 2;
        return delay;
    }
}
