using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StationEdge.Access;

/// <summary>The <c>Greeting</c> configuration section: what plays on a grant and on a refusal, and with what.</summary>
public sealed class GreetingOptions
{
    public const string SectionName = "Greeting";

    public bool Enabled { get; set; } = true;

    /// <summary>The grant's sound. Unset: <c>sounds/welcome.wav</c> beside the executable (set-up makes it: 欢迎回家, espeak-ng).</summary>
    public string? GrantedSound { get; set; }

    /// <summary>The refusal's sound. Unset: <c>sounds/refused.wav</c> beside the executable (two short low tones).</summary>
    public string? RefusedSound { get; set; }

    /// <summary>What the grant's sound says, for the printed log.</summary>
    public string GrantedText { get; set; } = "欢迎回家";

    /// <summary>The player: a name looked up on PATH, or a path. The sound file is its last argument.</summary>
    public string Player { get; set; } = "aplay";

    public List<string> PlayerArguments { get; set; } = ["-q"];

    /// <summary>A player still running after this long is stopped.</summary>
    public int MaxSeconds { get; set; } = 10;

    public string ResolvedGrantedSound => Path.GetFullPath(GrantedSound ?? Path.Combine(AppContext.BaseDirectory, "sounds", "welcome.wav"));

    public string ResolvedRefusedSound => Path.GetFullPath(RefusedSound ?? Path.Combine(AppContext.BaseDirectory, "sounds", "refused.wav"));
}

/// <summary>Checks the <c>Greeting</c> section; each failure names its key.</summary>
public sealed class GreetingOptionsValidator : IValidateOptions<GreetingOptions>
{
    public ValidateOptionsResult Validate(string? name, GreetingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Player))
        {
            failures.Add("Greeting:Player must name a program (was empty)");
        }

        if (options.MaxSeconds is < 1 or > 600)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Greeting:MaxSeconds must be between 1 and 600 (was {options.MaxSeconds})"));
        }

        foreach (var (key, value) in new[] { ("GrantedSound", options.GrantedSound), ("RefusedSound", options.RefusedSound) })
        {
            if (value is not null && string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"Greeting:{key} must be a file or left out (was empty)");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// The greeting: on a grant it plays <c>Greeting:GrantedSound</c> (欢迎回家), on a refusal <c>Greeting:RefusedSound</c>, with
/// <c>aplay</c> or the configured player. It follows the station's events, so playing never holds up the access loop; a
/// new sound stops the one playing (the rider in front of the door is the one to greet). A missing sound file or a
/// player that fails (no sound card, not installed) is logged once, until a sound plays again; the door is not affected.
/// </summary>
public sealed partial class GreetingPlayer : BackgroundService
{
    private readonly GreetingOptions _options;
    private readonly StationEvents _events;
    private readonly StationEventSubscription _subscription;
    private readonly ILogger<GreetingPlayer> _logger;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private Process? _playing;

    public GreetingPlayer(IOptions<GreetingOptions> options, StationEvents events, TimeProvider time, ILogger<GreetingPlayer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        _options = options.Value;
        _events = events;
        _time = time;
        _logger = logger;
        _subscription = events.Subscribe(capacity: 16);
    }

    public override void Dispose()
    {
        _subscription.Dispose();
        Stop();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        foreach (var sound in new[] { _options.ResolvedGrantedSound, _options.ResolvedRefusedSound })
        {
            if (!File.Exists(sound))
            {
                Report("missing:" + sound, () => LogSoundMissing(_logger, sound));
            }
        }

        try
        {
            await foreach (var stationEvent in _subscription.Reader.ReadAllAsync(stoppingToken))
            {
                switch (stationEvent)
                {
                    case AccessGranted:
                        Play(AccessDecision.Granted, _options.ResolvedGrantedSound, _options.GrantedText, stoppingToken);
                        break;
                    case AccessRefused:
                        Play(AccessDecision.Refused, _options.ResolvedRefusedSound, null, stoppingToken);
                        break;
                    // A rider let in by their pass is welcomed as one let in by their face.
                    case PassDecided { Visit.Decision: StationEdge.Store.VisitDecision.Granted }:
                        Play(AccessDecision.Granted, _options.ResolvedGrantedSound, _options.GrantedText, stoppingToken);
                        break;
                    case PassDecided:
                        Play(AccessDecision.Refused, _options.ResolvedRefusedSound, null, stoppingToken);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop.
        }
        finally
        {
            Stop();
        }
    }

    private void Play(AccessDecision decision, string sound, string? text, CancellationToken ct)
    {
        _events.Publish(new GreetingPlayed(_time.GetUtcNow(), decision, sound, text) { Timestamp = _time.GetTimestamp() });
        if (!File.Exists(sound))
        {
            return;
        }

        Stop();
        var start = new ProcessStartInfo(_options.Player)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in _options.PlayerArguments)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add(sound);
        try
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{_options.Player} did not start");
            process.StandardInput.Close();
            Volatile.Write(ref _playing, process);
            _ = WatchAsync(process, ct);
        }
        catch (Win32Exception failure)
        {
            Report("start", () => LogPlayerMissing(_logger, _options.Player, failure.Message));
        }
    }

    /// <summary>Waits for the player (bounded), then says once what went wrong, or that sound works again.</summary>
    private async Task WatchAsync(Process process, CancellationToken ct)
    {
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            _ = process.StandardOutput.ReadToEndAsync(ct);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(_options.MaxSeconds));
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Kill(process);
                Report("timeout", () => LogPlayerTimedOut(_logger, _options.Player, _options.MaxSeconds));
                return;
            }

            var exitCode = process.ExitCode;
            if (exitCode != 0 && ReferenceEquals(Volatile.Read(ref _playing), process))
            {
                // (A player stopped for a newer sound is no longer the one playing: nothing to report.)
                var last = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
                Report("exit", () => LogPlayerFailed(_logger, _options.Player, exitCode, last));
            }
            else if (exitCode == 0 && ClearReported())
            {
                LogPlayingAgain(_logger, _options.Player);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Kill(process);
        }
        catch (InvalidOperationException)
        {
            // The process object was disposed by a newer sound.
        }
    }

    private void Stop()
    {
        var playing = Interlocked.Exchange(ref _playing, null);
        if (playing is not null)
        {
            Kill(playing);
            playing.Dispose();
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (Exception failure) when (failure is InvalidOperationException or Win32Exception)
        {
            // Already gone.
        }
    }

    private bool ClearReported()
    {
        lock (_reported)
        {
            var any = _reported.Count > 0;
            _reported.Clear();
            return any;
        }
    }

    private void Report(string problem, Action log)
    {
        lock (_reported)
        {
            if (!_reported.Add(problem))
            {
                return;
            }
        }

        log();
    }

    [LoggerMessage(1, LogLevel.Warning, "Greeting: the sound {Sound} is missing (./deploy.sh setup makes it, or set Greeting:GrantedSound / Greeting:RefusedSound); the door opens without it")]
    private static partial void LogSoundMissing(ILogger logger, string sound);

    [LoggerMessage(2, LogLevel.Warning, "Greeting: the player {Player} cannot be started ({Problem}: apt-get install alsa-utils, or set Greeting:Player); the door opens without sound; not logged again")]
    private static partial void LogPlayerMissing(ILogger logger, string player, string problem);

    [LoggerMessage(3, LogLevel.Warning, "Greeting: {Player} failed (exit {ExitCode}: {Problem}); the door opens without sound; not logged again until a sound plays")]
    private static partial void LogPlayerFailed(ILogger logger, string player, int exitCode, string problem);

    [LoggerMessage(4, LogLevel.Warning, "Greeting: {Player} was still playing after {Seconds} s and was stopped; not logged again until a sound plays")]
    private static partial void LogPlayerTimedOut(ILogger logger, string player, int seconds);

    [LoggerMessage(5, LogLevel.Information, "Greeting: {Player} plays again")]
    private static partial void LogPlayingAgain(ILogger logger, string player);
}
