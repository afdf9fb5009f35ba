namespace StationEdge.Vision.Imaging;

/// <summary>
/// A decoded photo, already turned upright by its EXIF orientation.
/// <see cref="OriginalWidth"/> x <see cref="OriginalHeight"/> is the photo's full size as displayed (after orientation);
/// <see cref="Image"/> is that scaled by <see cref="Scale"/> (1 unless the photo exceeded the decoder's maximum side).
/// <see cref="ExifOrientation"/> is the tag value that was applied (1 = none or absent).
/// </summary>
public sealed record DecodedPhoto(RgbImage Image, int OriginalWidth, int OriginalHeight, double Scale, int ExifOrientation);
