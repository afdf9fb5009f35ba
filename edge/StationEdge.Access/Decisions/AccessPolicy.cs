using System.Globalization;
using StationEdge.Vision.Recognition;

namespace StationEdge.Access;

/// <summary>When the station lets workers in: all day, or from <see cref="Opens"/> to <see cref="Closes"/> (station-local time).</summary>
public sealed record OpeningHours(TimeOnly Opens, TimeOnly Closes)
{
    /// <summary>Open around the clock (the default: most stations never close).</summary>
    public static OpeningHours AllDay { get; } = new(TimeOnly.MinValue, TimeOnly.MinValue);

    public bool IsAllDay => Opens == Closes;

    /// <summary>True from Opens (inclusive) to Closes (exclusive); Closes before Opens runs over midnight (18:00–06:00).</summary>
    public bool IsOpen(TimeOnly local) =>
        IsAllDay || (Opens < Closes ? local >= Opens && local < Closes : local >= Opens || local < Closes);

    public override string ToString() =>
        IsAllDay ? "open all day" : string.Create(CultureInfo.InvariantCulture, $"{Opens:HH\\:mm}–{Closes:HH\\:mm}");
}

/// <summary>
/// Everything <see cref="AccessRule"/> needs besides the match and the worker: the match threshold and margin, the
/// station's opening hours and its time zone (validity dates and hours are station-local).
/// </summary>
public sealed record AccessPolicy(float Threshold, float Margin, OpeningHours Hours, TimeZoneInfo TimeZone)
{
    public static AccessPolicy Default { get; } =
        new(GalleryOptions.DefaultThreshold, GalleryOptions.DefaultMinMargin, OpeningHours.AllDay, TimeZoneInfo.Local);

    /// <summary>The gallery settings that make <see cref="FaceGallery.Search"/> decide with this policy's threshold and margin.</summary>
    public GalleryOptions GalleryOptions => new(Threshold, Margin);

    public DateTimeOffset ToLocal(DateTimeOffset time) => TimeZoneInfo.ConvertTime(time, TimeZone);
}
