namespace StationEdge.Vision.Recognition;

/// <summary>
/// One enrolled embedding of a worker. <paramref name="ModelSha256"/> is the sha256 of the embedder model
/// that produced it: embeddings from different models live in different spaces and must never be compared.
/// </summary>
public sealed record FaceTemplate(Guid Id, string WorkerId, float[] Embedding, string ModelSha256);

public enum MatchDecision
{
    Unknown,
    Known,
}

/// <summary>
/// The gallery's answer for one probe. <paramref name="Score"/> is the best cosine over the top worker's
/// templates; <paramref name="Margin"/> is that minus the best cosine of any other worker (or minus 0, the
/// expected cosine of an unrelated face, when no other worker is enrolled). <paramref name="WorkerId"/> is
/// the top candidate even when the decision is Unknown, so callers can log near misses. An empty gallery
/// answers Unknown with no worker and score 0.
/// </summary>
public sealed record Match(string? WorkerId, float Score, float Margin, string? SecondWorkerId, MatchDecision Decision)
{
    public bool IsKnown => Decision == MatchDecision.Known;
}

/// <summary>
/// Open-set decision rule: Known only when the score reaches <paramref name="Threshold"/> and the top worker
/// beats every other worker by at least <paramref name="MinMargin"/>. The defaults are a start for the
/// MobileFaceNet model (0.55 took 94.5% of genuine development pairs with no impostor) and are meant to be
/// calibrated per deployment.
/// </summary>
public sealed record GalleryOptions(float Threshold = GalleryOptions.DefaultThreshold, float MinMargin = GalleryOptions.DefaultMinMargin)
{
    public const float DefaultThreshold = 0.55f;
    public const float DefaultMinMargin = 0.05f;

    /// <summary>Which SIMD width the search uses; Auto (the widest the CPU accelerates) except to measure one.</summary>
    public DotProductPath DotProduct { get; init; } = DotProductPath.Auto;
}
