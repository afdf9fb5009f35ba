namespace StationEdge.Passes;

/// <summary>
/// Turns the codes read from successive frames into decisions: a pass held in front of the camera is decided once,
/// however many frames show it, and counts again only after it has been out of view for <c>rearm</c>. Codes that are
/// not station passes are ignored. One caller (the scan loop).
/// </summary>
public sealed class PassDoorway(PassBook book, TimeProvider time, TimeSpan rearm)
{
    private string? _current;
    private long _lastSeen;

    /// <summary>The decision for <paramref name="text"/> (what the frame's QR code said, or null for none), or null when there is nothing new.</summary>
    public PassCheck? Observe(string? text)
    {
        var now = time.GetTimestamp();
        if (text is null || !PassToken.Claims(text))
        {
            if (_current is not null && time.GetElapsedTime(_lastSeen, now) >= rearm)
            {
                _current = null;
            }

            return null;
        }

        var seenBefore = string.Equals(text, _current, StringComparison.Ordinal);
        _current = text;
        _lastSeen = now;
        return seenBefore ? null : book.Verify(text);
    }
}
