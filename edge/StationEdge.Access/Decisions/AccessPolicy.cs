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
/// Everything <see cref="AccessRule"/> needs besides the match and the worker: the open-set rule the gallery decides a
/// match by (<see cref="Gallery"/>: its threshold, calibrated for the gallery's size unless fixed, and margin), the
/// station's opening hours and its time zone (validity dates and hours are station-local).
/// </summary>
public sealed record AccessPolicy(GalleryOptions Gallery, OpeningHours Hours, TimeZoneInfo TimeZone)
{
    public static AccessPolicy Default { get; } = new(new GalleryOptions(), OpeningHours.AllDay, TimeZoneInfo.Local);

    public DateTimeOffset ToLocal(DateTimeOffset time) => TimeZoneInfo.ConvertTime(time, TimeZone);
}
