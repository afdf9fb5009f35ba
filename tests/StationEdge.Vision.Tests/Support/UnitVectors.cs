namespace StationEdge.Vision.Tests.Support;

/// <summary>Synthetic embeddings for the gallery and decision-rule tests: axes, mixes with a known cosine, blends.</summary>
internal static class UnitVectors
{
    public static float[] Axis(int i, int dims)
    {
        var v = new float[dims];
        v[i] = 1;
        return v;
    }

    /// <summary>Unit vector with cosine <paramref name="cos"/> to axis <paramref name="along"/>, the rest on axis <paramref name="other"/>.</summary>
    public static float[] Mix(int along, float cos, int other, int dims)
    {
        var v = new float[dims];
        v[along] = cos;
        v[other] = MathF.Sqrt(1 - (cos * cos));
        return v;
    }

    /// <summary>(1 − t)·a + t·b, renormalised.</summary>
    public static float[] Blend(float[] a, float[] b, float t) => Normalise([.. a.Zip(b, (x, y) => ((1 - t) * x) + (t * y))]);

    public static float[] Normalise(float[] v)
    {
        var n = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / n)];
    }
}
