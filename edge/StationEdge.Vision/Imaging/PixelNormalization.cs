namespace StationEdge.Vision.Imaging;

/// <summary>
/// The (scale, offset) pairs the face models expect, for value = pixel * scale + offset on 0..255 pixels.
/// </summary>
public static class PixelNormalization
{
    /// <summary>BlazeFace: x / 127.5 - 1, giving [-1, 1].</summary>
    public const float BlazeFaceScale = 1f / 127.5f;

    /// <summary>BlazeFace offset; see <see cref="BlazeFaceScale"/>.</summary>
    public const float BlazeFaceOffset = -1f;

    /// <summary>MobileFaceNet and FaceAntiSpoofing: (x - 127.5) / 128.</summary>
    public const float MobileFaceNetScale = 1f / 128f;

    /// <summary>MobileFaceNet offset; see <see cref="MobileFaceNetScale"/>.</summary>
    public const float MobileFaceNetOffset = -127.5f / 128f;
}
