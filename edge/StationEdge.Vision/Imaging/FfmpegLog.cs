using System.Text.RegularExpressions;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// What matters in ffmpeg's stderr when run with <c>-loglevel level+info</c>: the input stream's size and the
/// error-level messages. Bounded, so a file that makes ffmpeg spew cannot grow memory.
/// </summary>
internal sealed partial class FfmpegLog
{
    private const int MaxProblems = 32;
    private readonly List<(string? Context, string Message)> _problems = [];
    private bool _pastInputs;

    /// <summary>Size of the input's video stream as ffmpeg's stream dump reports it (before lowres or scaling).</summary>
    public (int Width, int Height)? InputSize { get; private set; }

    public bool HasProblems => _problems.Count > 0;

    public void Add(string line)
    {
        var m = LinePattern().Match(line);
        if (!m.Success)
        {
            return;
        }

        var level = m.Groups["level"].Value;
        var message = m.Groups["msg"].Value.Trim();
        if (level == "info")
        {
            // Only the input's stream dump: the output's, printed later, has the scaled size.
            _pastInputs |= message.StartsWith("Output #", StringComparison.Ordinal);
            if (InputSize is null && !_pastInputs)
            {
                var size = StreamSizePattern().Match(message);
                if (size.Success
                    && int.TryParse(size.Groups["w"].ValueSpan, out var w)
                    && int.TryParse(size.Groups["h"].ValueSpan, out var h)
                    && w > 0 && h > 0)
                {
                    InputSize = (w, h);
                }
            }

            return;
        }

        // Malformed APP segments (odd maker notes) are reported as errors while the picture decodes fine.
        if (level is "error" or "fatal" or "panic"
            && !message.Contains("APP fields", StringComparison.Ordinal)
            && _problems.Count < MaxProblems)
        {
            var context = m.Groups["ctx"].Success ? m.Groups["ctx"].Value : null;
            _problems.Add((context, message));
        }
    }

    /// <summary>The most telling error, for a one-line message: the decoder's own complaint first.</summary>
    public string? Explain()
    {
        string? best = null;
        foreach (var (context, message) in _problems)
        {
            if (context is not null)
            {
                best = message;
                break;
            }
        }

        best ??= _problems
            .Select(p => DecodingError().Match(p.Message))
            .Where(m => m.Success)
            .Select(m => m.Groups["why"].Value)
            .FirstOrDefault();
        best ??= _problems
            .Where(p => p.Message.StartsWith("file:", StringComparison.Ordinal))
            .Select(p => p.Message[(p.Message.LastIndexOf(": ", StringComparison.Ordinal) + 2)..])
            .FirstOrDefault();
        best ??= _problems.Select(p => p.Message).FirstOrDefault();
        if (best is null)
        {
            return null;
        }

        best = best.ReplaceLineEndings(" ").Trim();
        return best.Length <= 200 ? best : best[..200] + "...";
    }

    [GeneratedRegex(@"^(?:\[(?<ctx>[^\]\s]+) @ 0x[0-9a-fA-F]+\] )?\[(?<level>[a-z]+)\] (?<msg>.*)$")]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"^Stream #0:0\S*: Video: .*?, (?<w>\d{1,6})x(?<h>\d{1,6})")]
    private static partial Regex StreamSizePattern();

    [GeneratedRegex(@"^Error while decoding stream #[\d:]+: (?<why>.+)$")]
    private static partial Regex DecodingError();
}
