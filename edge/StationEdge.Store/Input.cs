using System.Text.RegularExpressions;

namespace StationEdge.Store;

/// <summary>The checks a value passes before it is stored; each failure is a one-line <see cref="StoreFault.InvalidInput"/>.</summary>
public static partial class Input
{
    public const int MaxWorkerIdLength = 64;
    public const int MaxTextLength = 200;
    public const int MaxDimensions = 4096;
    public const int CropSide = 112;
    public const int CropBytes = CropSide * CropSide * 3;

    /// <summary>A worker id as the keeper types it: 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
    public static string WorkerId(string? id)
    {
        if (id is null || !WorkerIdPattern().IsMatch(id))
        {
            throw Invalid($"worker id '{Shown(id)}' is not valid: use 1-{MaxWorkerIdLength} letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        return id;
    }

    /// <summary>A phone number with spaces and dashes removed: an optional '+' and 5–20 digits.</summary>
    public static string? Phone(string? phone)
    {
        if (phone is null)
        {
            return null;
        }

        var compact = phone.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return PhonePattern().IsMatch(compact) ? compact
            : throw Invalid($"phone '{Shown(phone)}' is not valid: use an optional '+' and 5-20 digits");
    }

    /// <summary>A SHA-256 as 64 lowercase hex digits.</summary>
    public static string Sha256(string? sha256, string what = "embedder sha256")
    {
        if (sha256 is null || !Sha256Pattern().IsMatch(sha256))
        {
            throw Invalid($"{what} '{Shown(sha256)}' is not 64 lowercase hex digits");
        }

        return sha256;
    }

    internal static string Text(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw Invalid($"{what} is required");
        }

        if (value.Trim().Length == 0)
        {
            throw Invalid($"{what} is blank");
        }

        if (value.Length > MaxTextLength)
        {
            throw Invalid($"{what} is {value.Length} characters long; at most {MaxTextLength}");
        }

        if (value.Any(char.IsControl))
        {
            throw Invalid($"{what} '{Shown(value)}' contains a control character");
        }

        return value;
    }

    internal static string? OptionalText(string? value, string what) => value is null ? null : Text(value, what);

    /// <summary>A short lowercase name (a door event type, an audit action): letters, digits, '_', '.', '-'.</summary>
    internal static string Name(string? value, string what)
    {
        if (value is null || !NamePattern().IsMatch(value))
        {
            throw Invalid($"{what} '{Shown(value)}' is not valid: use 1-64 lowercase letters, digits, '_', '.' or '-', starting with a letter");
        }

        return value;
    }

    internal static void Embedding(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length is 0 or > MaxDimensions)
        {
            throw Invalid($"embedding has {embedding.Length} values; 1-{MaxDimensions} expected");
        }

        for (var i = 0; i < embedding.Length; i++)
        {
            if (!float.IsFinite(embedding[i]))
            {
                throw Invalid($"embedding value {i} is {embedding[i]}, not a finite number");
            }
        }
    }

    internal static void Quality(TemplateQuality quality)
    {
        ArgumentNullException.ThrowIfNull(quality);
        foreach (var (name, value) in new[]
        {
            ("inter-eye distance", quality.InterEyePx), ("yaw", quality.YawDeg), ("sharpness", quality.Sharpness),
            ("brightness", quality.Brightness), ("detector score", quality.DetectorScore),
        })
        {
            if (!double.IsFinite(value))
            {
                throw Invalid($"template quality {name} is {value}, not a finite number");
            }
        }
    }

    internal static void Crop(byte[]? crop)
    {
        if (crop is { Length: not CropBytes } c)
        {
            throw Invalid($"crop is {c.Length} bytes; an aligned {CropSide}x{CropSide} RGB crop is {CropBytes}");
        }
    }

    internal static float? Score(float? value, string what) =>
        value is { } v && !float.IsFinite(v) ? throw Invalid($"{what} is {v}, not a finite number") : value;

    internal static int Limit(int limit, int max = 100_000) =>
        limit is >= 1 and var l && l <= max ? limit : throw Invalid($"limit must be between 1 and {max} (was {limit})");

    internal static StoreException Invalid(string message) => new(StoreFault.InvalidInput, message);

    private static string Shown(string? value) =>
        value is null ? "" : new string([.. value.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex WorkerIdPattern();

    [GeneratedRegex(@"^\+?[0-9]{5,20}\z")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[0-9a-f]{64}\z")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex(@"^[a-z][a-z0-9_.-]{0,63}\z")]
    private static partial Regex NamePattern();
}
