namespace StationEdge.Tests.Shared;

/// <summary>System time moved by <see cref="Offset"/>: a pass book that lives in the past or the future.</summary>
public sealed class SettableTime : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
