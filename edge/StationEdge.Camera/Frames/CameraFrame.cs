namespace StationEdge.Camera;

/// <summary>
/// A lease on one camera frame: rgb24, rows top to bottom, <see cref="Width"/> × 3 bytes per row, no padding. The pixels
/// stay valid and unchanged until <see cref="Dispose"/>; dispose every lease (the buffer goes back to the pool when the
/// last one is gone). Several leases may share one buffer, so never write to <see cref="Buffer"/>.
/// </summary>
public sealed class CameraFrame : IDisposable
{
    private FrameBuffer? _buffer;

    internal CameraFrame(FrameBuffer buffer)
    {
        buffer.AddReference();
        _buffer = buffer;
        Width = buffer.Width;
        Height = buffer.Height;
        Sequence = buffer.Sequence;
        Timestamp = buffer.Timestamp;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>1 for the first frame the source delivered, one more for each after it, across ffmpeg restarts.</summary>
    public long Sequence { get; }

    /// <summary>
    /// When the frame's last byte was read, as the source's <see cref="TimeProvider.GetTimestamp"/> (monotonic;
    /// <see cref="TimeProvider.GetElapsedTime(long)"/> gives its age).
    /// </summary>
    public long Timestamp { get; }

    /// <summary>Width × Height × 3.</summary>
    public int ByteLength => Width * Height * 3;

    /// <summary>The frame's pixels.</summary>
    public ReadOnlySpan<byte> Pixels => Buffer.AsSpan(0, ByteLength);

    /// <summary>
    /// The pooled array behind <see cref="Pixels"/> (exactly <see cref="ByteLength"/> bytes), for code that wraps a frame
    /// without copying it (<c>new RgbImage(frame.Width, frame.Height, frame.Buffer)</c> in the Vision library). Read only.
    /// </summary>
    public byte[] Buffer => (_buffer ?? throw new ObjectDisposedException(nameof(CameraFrame))).Pixels;

    public void Dispose() => Interlocked.Exchange(ref _buffer, null)?.Release();

    public override string ToString() => $"CameraFrame #{Sequence} {Width}x{Height}";
}
