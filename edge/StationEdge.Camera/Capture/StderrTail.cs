using System.Text;

namespace StationEdge.Camera;

/// <summary>
/// The last lines a child wrote to stderr. It is read continuously (a child blocked on a full stderr pipe stops
/// delivering frames) and bounded in lines and line length, so a child that spews cannot grow memory.
/// </summary>
internal sealed class StderrTail
{
    public const int MaxLines = 20;
    public const int MaxLineLength = 300;

    private readonly Queue<string> _lines = new();
    private readonly Lock _lock = new();

    public string? LastLine
    {
        get
        {
            lock (_lock)
            {
                return _lines.Count == 0 ? null : _lines.Last();
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Reads <paramref name="reader"/> to its end, keeping the last lines, each prefixed with <paramref name="prefix"/>.</summary>
    public async Task DrainAsync(TextReader reader, string prefix)
    {
        var chunk = new char[1024];
        var line = new StringBuilder();
        try
        {
            int read;
            while ((read = await reader.ReadAsync(chunk, CancellationToken.None)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    var c = chunk[i];
                    if (c is '\n' or '\r')
                    {
                        Add(prefix, line);
                    }
                    else if (line.Length < MaxLineLength)
                    {
                        line.Append(c);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The child is gone; what was read is kept.
        }

        Add(prefix, line);
    }

    private void Add(string prefix, StringBuilder line)
    {
        var text = line.ToString().Trim();
        line.Clear();
        if (text.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_lines.Count == MaxLines)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(prefix + text);
        }
    }
}
