namespace StationEdge.Vision.Detection;

/// <param name="ScoreThreshold">Minimum sigmoid score; see <see cref="BlazeFaceDecoder.DefaultScoreThreshold"/>.</param>
/// <param name="NmsIoU">Overlap above which candidates are merged (weighted NMS).</param>
/// <param name="BackModelBelowFaceFraction">
/// Run the back model too when the front model's largest face is narrower than this fraction of the frame's
/// longer side, and prefer its faces. Measured on the development and demo photos: above about 0.16 of the
/// frame both models agree (keypoints within 0.15 eye-distances), below it the front model still scores
/// faces above 0.5 but boxes them 1.2–2× too large with keypoints off by 0.3–1.7 eye-distances, which ruins
/// alignment; models.md's "misses faces under 1/8 of the frame" is the far end of the same weakness.
/// 0 keeps the plain rule (back only when the front model finds nothing).
/// </param>
public sealed record FaceDetectorOptions(
    float ScoreThreshold = BlazeFaceDecoder.DefaultScoreThreshold,
    float NmsIoU = BlazeFaceDecoder.DefaultNmsIoU,
    float BackModelBelowFaceFraction = FaceDetectorOptions.DefaultBackModelBelowFaceFraction)
{
    public const float DefaultBackModelBelowFaceFraction = 0.2f;
}
