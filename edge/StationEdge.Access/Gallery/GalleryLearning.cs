namespace StationEdge.Access.Gallery;

/// <summary>
/// How far a door walk-up must be from doubt before the gallery keeps it (issue 19 §2). <see cref="ClearBy"/> is how far
/// above the threshold and the margin a grant must land; <see cref="PassFloor"/> is the own-template score a pass-confirmed
/// refusal needs (set from the impostor tail, so a borrowed pass cannot teach someone else's face); <see cref="MaxCentroidMove"/>
/// is the largest cosine distance one learned template may move the worker's centroid.
/// </summary>
public sealed record LearningLimits(float ClearBy, float PassFloor, float MaxCentroidMove);

/// <summary>The checks that decide whether a walk-up becomes a learned template; each returns why not, or null.</summary>
public static class GalleryLearning
{
    /// <summary>A face grant is learned only when it cleared threshold and margin by <see cref="LearningLimits.ClearBy"/> with liveness passed.</summary>
    public static string? RefuseGrant(float score, float margin, bool livenessPassed, float threshold, float minMargin, LearningLimits limits)
    {
        if (!livenessPassed)
        {
            return "liveness did not pass";
        }

        // A stranger who squeaks in once lands near the threshold: not clear, so never kept, and the bar stays where it was.
        return score < threshold + limits.ClearBy ? $"score {score:F3} not clear of threshold {threshold:F3} by {limits.ClearBy:F3}"
            : margin < minMargin + limits.ClearBy ? $"margin {margin:F3} not clear of {minMargin:F3} by {limits.ClearBy:F3}"
            : null;
    }

    /// <summary>A refusal opened by the rider's own pass is learned only when the face is plausibly theirs.</summary>
    public static string? RefusePassConfirmed(ReadOnlySpan<float> walkUp, IReadOnlyList<float[]> existing, LearningLimits limits)
    {
        var best = float.NegativeInfinity;
        foreach (var t in existing)
        {
            best = MathF.Max(best, Cosine(walkUp, t));
        }

        return best < limits.PassFloor ? $"face score {best:F3} against the rider's own templates is below the impostor-tail floor {limits.PassFloor:F3}: a borrowed pass?" : null;
    }

    /// <summary>Refuses a template that would move the worker's centroid further than <see cref="LearningLimits.MaxCentroidMove"/>.</summary>
    public static string? RefuseMove(ReadOnlySpan<float> walkUp, IReadOnlyList<float[]> existing, LearningLimits limits)
    {
        if (existing.Count == 0)
        {
            return "no enrolment template to learn beside";
        }

        var before = Centroid(existing, null);
        var after = Centroid(existing, walkUp.ToArray());
        var move = 1f - Cosine(before, after);
        return move > limits.MaxCentroidMove ? $"it would move the centroid by {move:F3} (cap {limits.MaxCentroidMove:F3})" : null;
    }

    private static float[] Centroid(IReadOnlyList<float[]> templates, float[]? extra)
    {
        var sum = new float[templates[0].Length];
        foreach (var t in extra is null ? templates : [.. templates, extra])
        {
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += t[i];
            }
        }

        return sum;
    }

    private static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / MathF.Sqrt(na * nb);
    }
}
