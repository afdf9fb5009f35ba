using Microsoft.Extensions.Options;

namespace StationEdge.Camera;

/// <summary>
/// Checks the <c>Camera</c> section; each failure names its key, e.g. "Camera:Fps must be between 1 and 60 (was 0)".
/// The source is checked on disk too (a missing file, a FIFO, a folder without photos), and ffmpeg must be installed.
/// </summary>
public sealed class CameraOptionsValidator : IValidateOptions<CameraOptions>
{
    public const int MaxSide = 4096;

    public ValidateOptionsResult Validate(string? name, CameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"Camera:{key} must be between {min} and {max} (was {value})");
            }
        }

        void Side(string key, int value)
        {
            // Even: YUV 4:2:0 (rpicam, most encoders) halves both sides.
            if (value < 16 || value > MaxSide || value % 2 != 0)
            {
                failures.Add($"Camera:{key} must be an even number between 16 and {MaxSide} (was {value})");
            }
        }

        void Program(string key, string program, string install)
        {
            if (string.IsNullOrWhiteSpace(program))
            {
                failures.Add($"Camera:{key} must name a program (was empty)");
            }
            else if (Executables.Find(program) is null)
            {
                failures.Add(program.Contains('/', StringComparison.Ordinal)
                    ? $"Camera:{key} '{program}' is not an executable file"
                    : $"Camera:{key} '{program}' was not found on PATH ({install})");
            }
        }

        if (!CameraSource.TryParse(options.Source, out var source, out var error))
        {
            failures.Add(error!);
        }

        Side("Width", options.Width);
        Side("Height", options.Height);
        Range("Fps", options.Fps, 1, 60);
        if (!Enum.IsDefined(options.InputFormat))
        {
            failures.Add($"Camera:InputFormat must be Auto, Mjpeg or Yuyv (was {options.InputFormat})");
        }

        if (!(options.PhotoSeconds >= 0.1 && options.PhotoSeconds <= 3600))
        {
            failures.Add($"Camera:PhotoSeconds must be between 0.1 and 3600 (was {options.PhotoSeconds})");
        }

        Range("StallMs", options.StallMs, 200, 120000);
        Range("StartTimeoutMs", options.StartTimeoutMs, 1000, 300000);
        Range("RestartMinMs", options.RestartMinMs, 50, 60000);
        Range("RestartMaxMs", options.RestartMaxMs, 50, 600000);
        if (options.RestartMaxMs < options.RestartMinMs)
        {
            failures.Add($"Camera:RestartMaxMs must be at least Camera:RestartMinMs ({options.RestartMinMs}) (was {options.RestartMaxMs})");
        }

        Range("HealthyMs", options.HealthyMs, 1000, 3600000);
        Program("FfmpegPath", options.FfmpegPath, "apt-get install ffmpeg");
        if (source?.Kind == CameraSourceKind.Rpicam)
        {
            Program("RpicamPath", options.RpicamPath, "Raspberry Pi OS: apt-get install rpicam-apps");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
