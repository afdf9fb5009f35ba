using System.ComponentModel;
using System.Diagnostics;

namespace StationEdge.Camera;

/// <summary>ffmpeg (or rpicam-vid) could not be started at all.</summary>
internal sealed class CameraStartException : Exception
{
    public CameraStartException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// One run of the camera's child processes: ffmpeg's stdout read by a dedicated thread, exactly one frame of
/// Width×Height×3 bytes at a time, into pooled buffers published to the latest-frame slot; stderr drained into a
/// bounded tail. <see cref="StopAsync"/> kills and reaps every child; a run is never restarted, a new one is made.
/// </summary>
internal sealed class CameraRun
{
    private static readonly TimeSpan ReapTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ExitNoticeTimeout = TimeSpan.FromSeconds(1);

    private readonly FramePool _pool;
    private readonly LatestFrameSlot _slot;
    private readonly TimeProvider _time;
    private readonly Process _ffmpeg;
    private readonly Process? _rpicam;
    private readonly TaskCompletionSource _readerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _drains = [];
    private long _frames;
    private long _firstFrameTimestamp;
    private long _lastFrameTimestamp;
    private long _transferTicks;
    private volatile bool _rpicamEndedFirst;

    private CameraRun(CameraCommand command, FramePool pool, LatestFrameSlot slot, TimeProvider time)
    {
        _pool = pool;
        _slot = slot;
        _time = time;
        StartTimestamp = time.GetTimestamp();
        if (command.RpicamPath is not null)
        {
            _rpicam = Launch(command.RpicamPath, command.RpicamArguments, stdin: false);
        }

        try
        {
            _ffmpeg = Launch(command.FfmpegPath, command.FfmpegArguments, stdin: true);
        }
        catch
        {
            Kill(_rpicam);
            _rpicam?.Dispose();
            throw;
        }

        Task pump = Task.CompletedTask;
        if (_rpicam is not null)
        {
            _drains.Add(Stderr.DrainAsync(_rpicam.StandardError, "rpicam-vid: "));
            pump = PumpAsync(_rpicam, _ffmpeg);
        }
        else
        {
            _ffmpeg.StandardInput.Close();
        }

        _drains.Add(Stderr.DrainAsync(_ffmpeg.StandardError, ""));
        var reader = new Thread(ReadFrames) { IsBackground = true, Name = $"camera-reader-{_ffmpeg.Id}" };
        reader.Start();
        var ffmpegExit = _ffmpeg.WaitForExitAsync();
        var rpicamExit = _rpicam?.WaitForExitAsync();
        var exits = new List<Task> { ffmpegExit, _readerDone.Task };
        if (rpicamExit is not null)
        {
            exits.AddRange([rpicamExit, pump]);
        }

        Ended = NoteEndAsync(exits, ffmpegExit, rpicamExit);
    }

    /// <summary>ffmpeg's process id.</summary>
    public int ProcessId => _ffmpeg.Id;

    public long StartTimestamp { get; }

    /// <summary>Completes when any child exits or ffmpeg's output ends.</summary>
    public Task Ended { get; }

    /// <summary>Completes when the first whole frame has been read.</summary>
    public Task FirstFrame => _firstFrame.Task;

    public StderrTail Stderr { get; } = new();

    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>The first frame's arrival (<see cref="TimeProvider.GetTimestamp"/>), or 0 before it.</summary>
    public long FirstFrameTimestamp => Interlocked.Read(ref _firstFrameTimestamp);

    /// <summary>The newest frame's arrival, or 0 before the first.</summary>
    public long LastFrameTimestamp => Interlocked.Read(ref _lastFrameTimestamp);

    /// <summary>Mean time from a frame's first byte to its last arriving on the pipe (a bench figure).</summary>
    public TimeSpan MeanTransfer
    {
        get
        {
            var frames = Frames;
            return frames == 0 ? TimeSpan.Zero
                : TimeSpan.FromSeconds(Interlocked.Read(ref _transferTicks) / (double)frames / _time.TimestampFrequency);
        }
    }

    public static CameraRun Start(CameraCommand command, FramePool pool, LatestFrameSlot slot, TimeProvider time) =>
        new(command, pool, slot, time);

    /// <summary>Kills the children (if still running), waits for them to be reaped and for the reader to finish, and says why the run ended.</summary>
    public async Task<string> StopAsync()
    {
        Kill(_ffmpeg);
        Kill(_rpicam);
        var unreaped = new List<string>();
        foreach (var (name, process) in new[] { ("ffmpeg", _ffmpeg), ("rpicam-vid", _rpicam) })
        {
            if (process is not null && !await ReapAsync(process))
            {
                unreaped.Add($"{name} (pid {process.Id})");
            }
        }

        // After the kill the pipes close, so the reader and the drains end; bounded in case a grandchild holds a pipe.
        await Task.WhenAll(_drains.Append(_readerDone.Task)).WaitAsync(ReapTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var why = Describe();
        var culprit = _rpicamEndedFirst ? _rpicam! : _ffmpeg;
        ExitCode = culprit.HasExited ? culprit.ExitCode : null;
        Unreaped = unreaped.Count > 0;
        _ffmpeg.Dispose();
        _rpicam?.Dispose();
        return Unreaped ? $"{why}; {string.Join(", ", unreaped)} did not exit after SIGKILL" : why;
    }

    /// <summary>The exit code of the child that ended the run (ffmpeg unless rpicam-vid died first), once reaped.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>A child survived SIGKILL for five seconds (stuck in the kernel, e.g. a hung USB driver).</summary>
    public bool Unreaped { get; private set; }

    /// <summary>Kills the children without waiting (disposal without a stop).</summary>
    public void KillNow()
    {
        Kill(_ffmpeg);
        Kill(_rpicam);
    }

    /// <summary>Which child ended and how, with its last stderr line.</summary>
    private string Describe()
    {
        var (name, process) = _rpicamEndedFirst ? ("rpicam-vid", _rpicam!) : ("ffmpeg", _ffmpeg);
        var status = process.HasExited ? ExitText(name, process.ExitCode) : $"{name} stopped delivering frames";
        var last = Stderr.LastLine;
        return last is null ? status : $"{status}: {last}";
    }

    internal static string ExitText(string name, int code) => code is > 128 and < 160
        ? $"{name} was killed by signal {code - 128} (exit code {code})"
        : $"{name} exited with code {code}";

    private async Task NoteEndAsync(List<Task> exits, Task ffmpegExit, Task? rpicamExit)
    {
        await Task.WhenAny(exits);
        if (rpicamExit is null)
        {
            return;
        }

        // Whichever child exited first is the one to blame: ffmpeg ends by itself once rpicam-vid's output stops, and
        // the pipe's end can be seen before either exit is.
        var firstExit = Task.WhenAny(ffmpegExit, rpicamExit);
        await Task.WhenAny(firstExit, Task.Delay(ExitNoticeTimeout));
        _rpicamEndedFirst = firstExit.IsCompleted && await firstExit == rpicamExit;
    }

    private void ReadFrames()
    {
        var stream = _ffmpeg.StandardOutput.BaseStream;
        var frameBytes = _pool.FrameBytes;
        try
        {
            while (true)
            {
                var buffer = _pool.Rent();
                try
                {
                    var first = stream.Read(buffer.Pixels, 0, frameBytes);
                    if (first == 0)
                    {
                        buffer.Release();
                        return;
                    }

                    var firstByte = _time.GetTimestamp();
                    stream.ReadExactly(buffer.Pixels, first, frameBytes - first);
                    var arrived = _time.GetTimestamp();
                    Interlocked.Add(ref _transferTicks, arrived - firstByte);
                    Interlocked.Exchange(ref _lastFrameTimestamp, arrived);
                    if (Interlocked.Increment(ref _frames) == 1)
                    {
                        Interlocked.Exchange(ref _firstFrameTimestamp, arrived);
                        _firstFrame.TrySetResult();
                    }

                    _slot.Publish(buffer, arrived);
                }
                catch
                {
                    buffer.Release();
                    throw;
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ObjectDisposedException)
        {
            // A partial frame at the end is thrown away: ffmpeg died mid-frame.
        }
        finally
        {
            _readerDone.TrySetResult();
        }
    }

    private static async Task PumpAsync(Process from, Process to)
    {
        try
        {
            await from.StandardOutput.BaseStream.CopyToAsync(to.StandardInput.BaseStream, 1 << 16);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // One side died; the run ends either way.
        }
        finally
        {
            try
            {
                to.StandardInput.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    private static Process Launch(string program, IReadOnlyList<string> arguments, bool stdin)
    {
        var psi = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = stdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        psi.Environment["AV_LOG_FORCE_NOCOLOR"] = "1";
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(psi) ?? throw new CameraStartException($"cannot start {program}");
        }
        catch (Win32Exception e)
        {
            throw new CameraStartException($"cannot start {program}: {e.Message}", e);
        }
    }

    private static void Kill(Process? process)
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (Win32Exception)
        {
            // Already gone.
        }
    }

    private static async Task<bool> ReapAsync(Process process)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(ReapTimeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
