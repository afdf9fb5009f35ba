using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using StationEdge.Vision.Recognition;

namespace StationEdge.Access;

/// <summary>When the access loop runs the detector.</summary>
public enum AccessWake
{
    /// <summary>On every frame (the default): nothing is missed, at the cost of a detector run per frame.</summary>
    EveryFrame,

    /// <summary>While the PIR sensor (<c>Door:Presence</c>) sees someone, and <c>Access:WakeHoldMs</c> after.</summary>
    Presence,

    /// <summary>When a cheap frame difference says something moved, and <c>Access:WakeHoldMs</c> after.</summary>
    Motion,
}

/// <summary>The <c>Access</c> configuration section: how faces become decisions. README.md beside this file says why each default.</summary>
public sealed class AccessOptions
{
    public const string SectionName = "Access";

    /// <summary>This station's id in the sync topics (<c>stations/{id}/visits</c>). Unset: the host name.</summary>
    public string? StationId { get; set; }

    /// <summary>
    /// A fixed threshold for a match (a county's own calibration, e.g. from <c>eval --open-set</c>), raised for galleries
    /// past 100 workers. Unset (the default): the gallery calibrates it from its own workers for 1 stranger in 1,000.
    /// </summary>
    public float? Threshold { get; set; }

    /// <summary>
    /// The security level: the share of stranger walk-ups the calibrated threshold may let in. <c>strict</c> (严格, 1/10,000),
    /// <c>standard</c> (标准, 1/1,000, the default), <c>convenient</c> (便利, 1/100), or a rate of the county's own written
    /// <c>1/N</c> or as a decimal up to 0.1. Ignored while <see cref="Threshold"/> fixes the threshold.
    /// </summary>
    public string StrangerRate { get; set; } = StrangerRateLevel.Standard.Key;

    /// <summary>The parsed <see cref="StrangerRate"/>. Call after validation.</summary>
    public StrangerRateLevel StrangerRateLevel => StrangerRateLevel.Parse(StrangerRate);

    /// <summary>Least lead of the best worker over the next one.</summary>
    public float Margin { get; set; } = GalleryOptions.DefaultMinMargin;

    /// <summary>K: how many of the last <see cref="WindowFrames"/> frames of a walk-up must agree on one worker.</summary>
    public int AgreeFrames { get; set; } = 2;

    /// <summary>M: the frames of a walk-up the agreement is counted over.</summary>
    public int WindowFrames { get; set; } = 3;

    /// <summary>A walk-up with this many usable frames and no agreement is recorded as an unknown face (once).</summary>
    public int UnknownAfterFrames { get; set; } = 6;

    /// <summary>
    /// How many of a walk-up's last usable frames are fused (their embeddings summed and renormalised) before each
    /// frame is matched and votes; 1 matches every frame on its own.
    /// </summary>
    public int FuseFrames { get; set; } = 6;

    /// <summary>No face for this long ends a walk-up; the next face starts a new one.</summary>
    public int WalkUpGapMs { get; set; } = 1500;

    /// <summary>A granted worker's visit is recorded once in this many seconds; the door opens every time.</summary>
    public int CooldownSeconds { get; set; } = 60;

    /// <summary>Score the matched face with the liveness model and refuse a spoof.</summary>
    public bool RequireLiveness { get; set; } = true;

    public AccessWake Wake { get; set; } = AccessWake.EveryFrame;

    /// <summary>Motion wake: the mean luma difference (0–255) between frames, on a coarse grid, that counts as movement.</summary>
    public double MotionThreshold { get; set; } = 4;

    /// <summary>Presence and motion wake: how long the detector keeps running after the last wake signal.</summary>
    public int WakeHoldMs { get; set; } = 3000;

    /// <summary>Open around the clock; false: from <see cref="Opens"/> to <see cref="Closes"/>.</summary>
    public bool OpenAllDay { get; set; } = true;

    public TimeOnly? Opens { get; set; }

    public TimeOnly? Closes { get; set; }

    /// <summary>The station's time zone for hours and validity dates (an IANA id such as Asia/Shanghai). Unset: the system's.</summary>
    public string? TimeZone { get; set; }

    /// <summary>
    /// A folder for one JPEG of each unknown walk-up's face. Unset (the default): no image of an unknown face is kept, only
    /// the refusal.
    /// </summary>
    public string? UnknownFacesFolder { get; set; }

    /// <summary>Days an unknown face's JPEG is kept in <see cref="UnknownFacesFolder"/> (the daemon's retention deletes older ones).</summary>
    public int UnknownFacesRetentionDays { get; set; } = 7;

    /// <summary>How many decisions are kept in memory while the data folder cannot be written (full disk); the oldest go first.</summary>
    public int VisitBacklog { get; set; } = 10_000;

    /// <summary>How often the gallery checks the store for enrolled, suspended or deleted workers.</summary>
    public int RosterPollMs { get; set; } = 2000;

    /// <summary>Keep clear grants and pass-confirmed refusals as learned templates of the worker (<see cref="GalleryLearner"/>).</summary>
    public bool LearnEnabled { get; set; } = true;

    /// <summary>K: the learned templates a worker may have beside their enrolment templates (the oldest replaced).</summary>
    public int LearnMaxTemplates { get; set; } = 3;

    /// <summary>A face refusal followed within this many seconds by the same worker's pass is a pass-confirmed walk-up.</summary>
    public int LearnPassWindowSeconds { get; set; } = 60;

    /// <summary>How far above the threshold and the margin a grant must score to be learned.</summary>
    public float LearnClearBy { get; set; } = 0.08f;

    /// <summary>The score against the rider's own templates a pass-confirmed walk-up needs (from the impostor tail).</summary>
    public float LearnPassFloor { get; set; } = 0.30f;

    /// <summary>The largest cosine distance one learned template may move the worker's centroid.</summary>
    public float LearnMaxCentroidMove { get; set; } = 0.15f;

    /// <summary>The learning checks' limits.</summary>
    public Gallery.LearningLimits ToLearningLimits() => new(LearnClearBy, LearnPassFloor, LearnMaxCentroidMove);

    /// <summary>The station id to use: <see cref="StationId"/>, else the host name made topic-safe.</summary>
    public string ResolvedStationId
    {
        get
        {
            if (StationId is not null)
            {
                return StationId;
            }

            var host = AccessOptionsValidator.TopicUnsafe().Replace(Environment.MachineName, "-");
            return host.Length is > 0 and <= 64 ? host : "station";
        }
    }

    /// <summary>The rule's settings. Call after validation (the time zone is known to exist then).</summary>
    public AccessPolicy ToPolicy() => new(
        new GalleryOptions(Threshold, Margin) { StrangerRate = StrangerRateLevel.Rate },
        OpenAllDay ? OpeningHours.AllDay : new OpeningHours(Opens!.Value, Closes!.Value),
        TimeZone is null ? TimeZoneInfo.Local : TimeZoneInfo.FindSystemTimeZoneById(TimeZone));
}

/// <summary>Checks the <c>Access</c> section; each failure names its key ("Access:AgreeFrames must be …").</summary>
public sealed partial class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Fail(string key, FormattableString text) => failures.Add($"Access:{key} {text.ToString(CultureInfo.InvariantCulture)}");

        if (options.StationId is { } id && !StationIdPattern().IsMatch(id))
        {
            Fail("StationId", $"must be 1–64 of A-Z a-z 0-9 . _ - (it goes into MQTT topics; was '{id}')");
        }

        if (options.Threshold is { } threshold && !(threshold is >= 0f and <= 1f))
        {
            Fail("Threshold", $"must be between 0 and 1 (was {options.Threshold})");
        }

        if (!StrangerRateLevel.TryParse(options.StrangerRate, out _, out var rateError))
        {
            Fail("StrangerRate", $"{rateError}");
        }

        if (!(options.Margin is >= 0f and <= 1f))
        {
            Fail("Margin", $"must be between 0 and 1 (was {options.Margin})");
        }

        if (options.WindowFrames is < 1 or > 30)
        {
            Fail("WindowFrames", $"must be between 1 and 30 (was {options.WindowFrames})");
        }

        if (options.AgreeFrames < 1 || options.AgreeFrames > options.WindowFrames)
        {
            Fail("AgreeFrames", $"must be between 1 and Access:WindowFrames ({options.WindowFrames}) (was {options.AgreeFrames})");
        }

        if (options.FuseFrames is < 1 or > 30)
        {
            Fail("FuseFrames", $"must be between 1 and 30 (was {options.FuseFrames})");
        }

        if (options.UnknownAfterFrames < options.WindowFrames || options.UnknownAfterFrames > 300)
        {
            Fail("UnknownAfterFrames", $"must be between Access:WindowFrames ({options.WindowFrames}) and 300 (was {options.UnknownAfterFrames})");
        }

        Range("WalkUpGapMs", options.WalkUpGapMs, 100, 60_000);
        Range("CooldownSeconds", options.CooldownSeconds, 0, 86_400);
        Range("WakeHoldMs", options.WakeHoldMs, 0, 600_000);
        Range("VisitBacklog", options.VisitBacklog, 10, 1_000_000);
        Range("RosterPollMs", options.RosterPollMs, 100, 600_000);
        if (!(options.MotionThreshold is > 0 and <= 255))
        {
            Fail("MotionThreshold", $"must be above 0 and at most 255 (was {options.MotionThreshold})");
        }

        Range("LearnMaxTemplates", options.LearnMaxTemplates, 1, 20);
        Range("LearnPassWindowSeconds", options.LearnPassWindowSeconds, 5, 600);
        if (!(options.LearnClearBy is >= 0f and <= 0.5f))
        {
            Fail("LearnClearBy", $"must be between 0 and 0.5 (was {options.LearnClearBy})");
        }

        if (!(options.LearnPassFloor is >= 0f and <= 1f))
        {
            Fail("LearnPassFloor", $"must be between 0 and 1 (was {options.LearnPassFloor})");
        }

        if (!(options.LearnMaxCentroidMove is > 0f and <= 0.5f))
        {
            Fail("LearnMaxCentroidMove", $"must be above 0 and at most 0.5 (was {options.LearnMaxCentroidMove})");
        }

        if (!options.OpenAllDay)
        {
            if (options.Opens is null || options.Closes is null)
            {
                Fail(options.Opens is null ? "Opens" : "Closes", $"must be set (a time such as 07:30) when Access:OpenAllDay is false");
            }
            else if (options.Opens == options.Closes)
            {
                Fail("Closes", $"must differ from Access:Opens ({options.Opens:HH\\:mm}); for a station that never closes set Access:OpenAllDay to true");
            }
        }

        if (options.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            Fail("TimeZone", $"'{zone}' is not a time zone this system knows (an IANA id such as Asia/Shanghai; apt-get install tzdata)");
        }

        if (options.UnknownFacesFolder is { } folder && (string.IsNullOrWhiteSpace(folder) || folder.Contains('\0', StringComparison.Ordinal)))
        {
            Fail("UnknownFacesFolder", $"must be a folder or left out (was '{folder}')");
        }

        if (options.UnknownFacesRetentionDays is < 1 or > 3650)
        {
            Fail("UnknownFacesRetentionDays", $"must be between 1 and 3650 (was {options.UnknownFacesRetentionDays})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                Fail(key, $"must be between {min} and {max} (was {value})");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex StationIdPattern();

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    internal static partial Regex TopicUnsafe();
}
