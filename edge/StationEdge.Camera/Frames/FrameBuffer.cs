namespace StationEdge.Camera;

/// <summary>
/// One frame's pixels and when they arrived, shared by reference count: the latest-frame slot holds one reference and
/// every <see cref="CameraFrame"/> lease another; the last release returns the array to its pool.
/// </summary>
internal sealed class FrameBuffer
{
    private readonly FramePool _pool;
    private int _references;

    public FrameBuffer(FramePool pool, byte[] pixels)
    {
        _pool = pool;
        Pixels = pixels;
    }

    public byte[] Pixels { get; }

    public int Width => _pool.Width;

    public int Height => _pool.Height;

    public long Sequence { get; private set; }

    public long Timestamp { get; private set; }

    /// <summary>Called by the pool when it hands the buffer out to be filled: one reference, the filler's.</summary>
    public void Reset()
    {
        Sequence = 0;
        Timestamp = 0;
        Volatile.Write(ref _references, 1);
    }

    public void Stamp(long sequence, long timestamp)
    {
        Sequence = sequence;
        Timestamp = timestamp;
    }

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _pool.Return(this);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("a camera frame buffer was released more often than it was referenced");
        }
    }
}

/// <summary>
/// Frame buffers of one size. At 15 fps the reader, the slot, the access loop and a preview hold about four at a
/// time; a few more are kept for bursts, anything beyond is left to the garbage collector.
/// </summary>
internal sealed class FramePool
{
    private const int MaxKept = 8;
    private readonly Stack<FrameBuffer> _free = new();
    private readonly Lock _lock = new();

    public FramePool(int width, int height)
    {
        Width = width;
        Height = height;
        FrameBytes = checked(width * height * 3);
    }

    public int Width { get; }

    public int Height { get; }

    public int FrameBytes { get; }

    /// <summary>Buffers created so far (a figure for tests: steady state must not keep allocating).</summary>
    public int Allocated { get; private set; }

    public FrameBuffer Rent()
    {
        FrameBuffer? buffer = null;
        lock (_lock)
        {
            if (!_free.TryPop(out buffer))
            {
                Allocated++;
            }
        }

        buffer ??= new FrameBuffer(this, GC.AllocateUninitializedArray<byte>(FrameBytes));
        buffer.Reset();
        return buffer;
    }

    public void Return(FrameBuffer buffer)
    {
        lock (_lock)
        {
            if (_free.Count < MaxKept)
            {
                _free.Push(buffer);
            }
        }
    }
}
