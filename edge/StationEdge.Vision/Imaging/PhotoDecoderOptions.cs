namespace StationEdge.Vision.Imaging;

/// <summary>What transparent pixels are composited over.</summary>
public enum AlphaBackground
{
    /// <summary>White: a cut-out portrait then looks like an ID photo, the closest thing to the detector's training data.</summary>
    White,

    /// <summary>Black.</summary>
    Black,
}

/// <summary>Settings for <see cref="PhotoDecoder"/>.</summary>
public sealed record PhotoDecoderOptions
{
    /// <summary>The ffmpeg executable: a name looked up on PATH, or a path.</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>Photos with a longer side than this are downscaled (keeping the aspect ratio) while decoding.</summary>
    public int MaxSide { get; init; } = 4096;

    /// <summary>ffmpeg is killed after this long, so a pathological file cannot hang the caller.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Background for images with an alpha channel (PNG, WebP, GIF).</summary>
    public AlphaBackground AlphaBackground { get; init; } = AlphaBackground.White;
}
