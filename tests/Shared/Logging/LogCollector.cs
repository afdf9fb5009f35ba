using Microsoft.Extensions.Logging;

namespace StationEdge.Tests.Shared;

/// <summary>
/// A logger provider that keeps every entry, so an integration test can fail on a logged error (the hosts under test
/// log through it). Linked into test projects that set SharedTestLogging.
/// </summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly List<(LogLevel Level, string Category, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Collecting(this, categoryName);

    /// <summary>Fails with every error (and worse) that was logged, each with its category.</summary>
    public void AssertNoErrors()
    {
        var errors = Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(errors.Count == 0, "logged errors: " + string.Join(" | ", errors));
    }

    public void Dispose()
    {
    }

    private sealed class Collecting(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})");
            lock (owner._entries)
            {
                owner._entries.Add((logLevel, category, message));
            }
        }
    }
}
