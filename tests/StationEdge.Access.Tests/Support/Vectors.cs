namespace StationEdge.Access.Tests.Support;

/// <summary>Unit vectors for gallery tests: a random direction per seed, and one a chosen cosine away from another.</summary>
internal static class Vectors
{
    public const int Dimensions = 192;
    public const string Sha = "1111111111111111111111111111111111111111111111111111111111111111";

    public static float[] Random(int seed)
    {
        var random = new Random(seed);
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return Normalise(v);
    }

    /// <summary>A unit vector whose cosine with <paramref name="toward"/> is exactly <paramref name="cosine"/>.</summary>
    public static float[] At(float[] toward, float cosine, int seed)
    {
        var other = Random(seed);
        var dot = other.Zip(toward, (a, b) => a * b).Sum();
        var orthogonal = Normalise(other.Zip(toward, (a, b) => a - (dot * b)).ToArray());
        var sine = MathF.Sqrt(1 - (cosine * cosine));
        return Normalise(toward.Zip(orthogonal, (a, b) => (cosine * a) + (sine * b)).ToArray());
    }

    private static float[] Normalise(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
