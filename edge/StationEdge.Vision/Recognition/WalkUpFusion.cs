using System.Numerics.Tensors;
using StationEdge.Vision.Quality;

namespace StationEdge.Vision.Recognition;

/// <summary>
/// The gallery's answer for one walk-up: the match of the fused frames, or none when every frame was refused as low
/// quality (<see cref="LowQuality"/> then says why, from the last frame refused). <see cref="FramesUsed"/> frames went into
/// the fused embedding; <see cref="FramesRefused"/> were left out by the quality gate.
/// </summary>
public sealed record WalkUpMatch(Match? Match, int FramesUsed, int FramesRefused, string? LowQuality)
{
    public bool IsKnown => Match?.IsKnown == true;
}

/// <summary>
/// One decision for one walk-up from its several frames: the frames the quality gate lets through are embedded
/// (mirror-averaged by the embedder), their unit embeddings summed and renormalised, and that one vector searched once.
/// Averaging first, then deciding once, keeps a stranger's one lucky frame from opening the door, which taking the best
/// frame's score (or any frame over the threshold) would not.
/// </summary>
public static class WalkUpFusion
{
    /// <summary>The renormalised sum of unit embeddings (each is normalised here too, so any positive scale is fine).</summary>
    public static float[] Fuse(IReadOnlyList<float[]> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Count == 0)
        {
            throw new ArgumentException("a walk-up needs at least one frame's embedding", nameof(embeddings));
        }

        var dims = embeddings[0].Length;
        var sum = new float[dims];
        foreach (var e in embeddings)
        {
            if (e.Length != dims)
            {
                throw new ArgumentException($"the frames' embeddings differ in length ({dims} and {e.Length})", nameof(embeddings));
            }

            var norm = TensorPrimitives.Norm(e);
            if (!(norm > 1e-6f) || !float.IsFinite(norm))
            {
                throw new ArgumentException("a frame's embedding is zero or not finite", nameof(embeddings));
            }

            TensorPrimitives.MultiplyAdd(e, 1f / norm, sum, sum);
        }

        var total = TensorPrimitives.Norm(sum);
        if (!(total > 1e-6f))
        {
            throw new ArgumentException("the frames' embeddings cancel out: they are not frames of one face", nameof(embeddings));
        }

        TensorPrimitives.Divide(sum, total, sum);
        return sum;
    }

    /// <summary>
    /// The decision for one walk-up: frames of a single tracked face (one <see cref="FaceAnalysis"/> per frame), gated by
    /// <paramref name="gate"/>, fused and searched in <paramref name="gallery"/> at the threshold for its size.
    /// </summary>
    public static WalkUpMatch Decide(FaceGallery gallery, IReadOnlyList<FaceAnalysis> frames, QualityGate gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        return Decide(gallery, frames, frame => LowQuality(gate, frame));
    }

    /// <summary>Why <paramref name="gate"/> keeps <paramref name="frame"/> out of a walk-up ("low quality: …"), or null.</summary>
    public static string? LowQuality(QualityGate gate, FaceAnalysis frame)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(frame);
        return gate.CheckPose(frame.Face, frame.Quality) is { Passed: false } verdict ? "low quality: " + verdict.Message : null;
    }

    /// <summary>As above, with any quality check: <paramref name="refusal"/> gives why a frame is too poor to use, or null.</summary>
    public static WalkUpMatch Decide(FaceGallery gallery, IReadOnlyList<FaceAnalysis> frames, Func<FaceAnalysis, string?> refusal)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(refusal);
        var usable = new List<float[]>(frames.Count);
        string? lastRefusal = null;
        foreach (var frame in frames)
        {
            if (refusal(frame) is { } why)
            {
                lastRefusal = why;
            }
            else
            {
                usable.Add(frame.Embedding);
            }
        }

        return usable.Count == 0
            ? new WalkUpMatch(null, 0, frames.Count, lastRefusal ?? "no frame")
            : new WalkUpMatch(gallery.Search(Fuse(usable)), usable.Count, frames.Count - usable.Count, null);
    }
}
