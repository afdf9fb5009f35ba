using System.Numerics;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// Where a letterboxed source sits inside the square model input: scaled to
/// <see cref="ContentWidth"/> x <see cref="ContentHeight"/> model pixels and placed at (<see cref="PadX"/>, <see cref="PadY"/>).
/// All coordinates are continuous pixel-edge coordinates: 0 is the left/top edge of the first pixel and Width the
/// right edge of the last, so the content's corners map exactly onto the source's corners.
/// </summary>
public readonly record struct LetterboxTransform(
    int Size,
    int SourceWidth,
    int SourceHeight,
    int PadX,
    int PadY,
    int ContentWidth,
    int ContentHeight)
{
    /// <summary>Model pixel (0..Size) to source pixel.</summary>
    public Vector2 ToSource(Vector2 modelPixel) =>
        new((modelPixel.X - PadX) * SourceWidth / ContentWidth, (modelPixel.Y - PadY) * SourceHeight / ContentHeight);

    /// <summary>Normalised model coordinate (0..1 of the square, as BlazeFace's decoded boxes are) to source pixel.</summary>
    public Vector2 ToSourceFromNormalized(Vector2 normalized) => ToSource(normalized * Size);

    /// <summary>Source pixel to model pixel.</summary>
    public Vector2 FromSource(Vector2 sourcePixel) =>
        new((sourcePixel.X * ContentWidth / SourceWidth) + PadX, (sourcePixel.Y * ContentHeight / SourceHeight) + PadY);
}
