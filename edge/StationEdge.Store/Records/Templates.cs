namespace StationEdge.Store;

/// <summary>How good the enrollment photo was: inter-eye distance in pixels, yaw in degrees, sharpness, mean brightness, detector score.</summary>
public sealed record TemplateQuality(double InterEyePx, double YawDeg, double Sharpness, double Brightness, double DetectorScore);

/// <summary>
/// An embedding to store. <see cref="Crop"/> is the aligned 112×112 RGB face (37,632 bytes, row-major RGB) it was made from,
/// kept (encrypted) only when <c>Store:KeepCrops</c> is on.
/// </summary>
public sealed record NewTemplate(string EmbedderSha256, ReadOnlyMemory<float> Embedding, TemplateQuality Quality)
{
    public byte[]? Crop { get; init; }
}

/// <summary>A decrypted template for the gallery.</summary>
public sealed record StoredTemplate(Guid Id, string WorkerId, string EmbedderSha256, float[] Embedding, TemplateQuality Quality);

/// <summary>A template row that failed authentication (altered ciphertext, nonce or tag, moved to another row, another key): never matched.</summary>
public sealed record UnreadableTemplate(Guid Id, string WorkerId, string Reason);

/// <summary>
/// Every readable template of one embedder, the rows refused, and how many templates belong to other embedders
/// (stale after a model change: <c>station-edge reembed</c>).
/// </summary>
public sealed record GalleryLoad(IReadOnlyList<StoredTemplate> Templates, IReadOnlyList<UnreadableTemplate> Unreadable, int OtherEmbedderCount);

/// <summary>A template's metadata (no vector), for <c>workers show</c>.</summary>
public sealed record TemplateInfo(Guid Id, string EmbedderSha256, int Dimensions, TemplateQuality Quality, bool HasCrop, DateTimeOffset CreatedAt);

/// <summary>A template's decrypted aligned crop, for re-embedding.</summary>
public sealed record TemplateCrop(Guid TemplateId, string WorkerId, int Width, int Height, byte[] Rgb);
