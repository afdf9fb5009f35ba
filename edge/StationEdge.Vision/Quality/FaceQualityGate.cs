using System.Globalization;

namespace StationEdge.Vision.Quality;

/// <summary>
/// Which probes are refused as "low quality" instead of matched: a face turned further than
/// <paramref name="MaxYawDegrees"/> or smaller than <paramref name="MinInterEyePixels"/> between the eyes. Measured on the
/// East Asian development photos it did not lower the share of strangers let in (the strangers who scored high were
/// frontal, sharp photos), so its limits are loose: it keeps a side-on or far-away face from being matched at all,
/// and the door asks for a better look instead. Sharpness is not gated: the Laplacian variance depends on the face's
/// pixel size and was not measured to separate bad probes.
/// </summary>
public sealed record FaceQualityGate(float MaxYawDegrees = FaceQualityGate.DefaultMaxYawDegrees, float MinInterEyePixels = FaceQualityGate.DefaultMinInterEyePixels)
{
    public const float DefaultMaxYawDegrees = 60f;
    public const float DefaultMinInterEyePixels = 16f;

    /// <summary>Why <paramref name="quality"/> is too low to match, or null when it may be matched.</summary>
    public string? Refusal(FaceQuality quality)
    {
        ArgumentNullException.ThrowIfNull(quality);
        if (!(Math.Abs(quality.YawDegrees) <= MaxYawDegrees))
        {
            return string.Create(CultureInfo.InvariantCulture, $"low quality: face turned {Math.Abs(quality.YawDegrees):0}° (at most {MaxYawDegrees:0}°)");
        }

        return quality.InterEyeDistance >= MinInterEyePixels
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"low quality: eyes {quality.InterEyeDistance:0} px apart (at least {MinInterEyePixels:0})");
    }
}
