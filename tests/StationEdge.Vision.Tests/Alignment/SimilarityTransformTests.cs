using System.Drawing;
using StationEdge.Vision.Alignment;

namespace StationEdge.Vision.Tests.Alignment;

public class SimilarityTransformTests
{
    [Theory]
    [InlineData(0.0, 1.0, 0.0, 0.0)]
    [InlineData(23.0, 2.5, 140.0, -37.0)]
    [InlineData(-170.0, 0.31, 900.5, 412.25)]
    public void Estimate_RecoversAKnownSimilarityFromTransformedTemplatePoints(double degrees, double scale, double tx, double ty)
    {
        var known = Similarity(degrees, scale, tx, ty);
        var template = ArcFaceTemplate.Points.ToArray();
        var moved = template.Select(known.Apply).ToArray();

        // Fit moved → template: the inverse of the known transform.
        var fitted = SimilarityTransform.Estimate(moved, template);

        var expected = known.Invert();
        Assert.Equal(expected.M11, fitted.M11, 4);
        Assert.Equal(expected.M12, fitted.M12, 4);
        // Translations are large here; the moved points are floats, so allow float-precision error relative to size.
        Assert.Equal(expected.M13, fitted.M13, 1e-3 + (3e-5 * Math.Abs(expected.M13)));
        Assert.Equal(expected.M21, fitted.M21, 4);
        Assert.Equal(expected.M22, fitted.M22, 4);
        Assert.Equal(expected.M23, fitted.M23, 1e-3 + (3e-5 * Math.Abs(expected.M23)));
        for (var i = 0; i < template.Length; i++)
        {
            var back = fitted.Apply(moved[i]);
            Assert.Equal(template[i].X, back.X, 2);
            Assert.Equal(template[i].Y, back.Y, 2);
        }
    }

    [Fact]
    public void Estimate_MirroredPoints_GivesAProperRotationThatIsTheBestOne()
    {
        var template = ArcFaceTemplate.Points.ToArray();
        var mirrored = template.Select(p => new PointF(200 - p.X, p.Y + 10)).ToArray();

        var fitted = SimilarityTransform.Estimate(mirrored, template);

        Assert.True(fitted.Determinant > 0, "a similarity fit must never reflect");
        // No rotation/scale pair does better: scan angles and scales around the fit.
        var best = Residual(fitted, mirrored, template);
        for (var deg = -180.0; deg < 180; deg += 0.5)
        {
            for (var s = 0.2; s < 2; s += 0.05)
            {
                var candidate = BestTranslation(deg, s, mirrored, template);
                Assert.True(Residual(candidate, mirrored, template) >= best - 1e-3, $"angle {deg}, scale {s} fits better than Umeyama");
            }
        }
    }

    [Fact]
    public void Estimate_AllPointsEqual_FailsWithAClearMessage()
    {
        var same = Enumerable.Repeat(new PointF(50, 50), 4).ToArray();

        var error = Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate(same, ArcFaceTemplate.Points.ToArray()));
        Assert.Contains("degenerate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_NonFinitePoint_FailsInsteadOfReturningNaN()
    {
        var points = ArcFaceTemplate.Points.ToArray();
        points[2] = new PointF(float.NaN, 3);

        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate(points, ArcFaceTemplate.Points.ToArray()));
    }

    [Fact]
    public void Invert_ComposesToIdentity()
    {
        var m = Similarity(33, 1.7, 12, -4);
        var p = new PointF(17, 91);

        var back = m.Invert().Apply(m.Apply(p));

        Assert.Equal(p.X, back.X, 3);
        Assert.Equal(p.Y, back.Y, 3);
    }

    private static AffineMatrix Similarity(double degrees, double scale, double tx, double ty)
    {
        var r = degrees * Math.PI / 180;
        var a = scale * Math.Cos(r);
        var b = scale * Math.Sin(r);
        return new AffineMatrix(a, -b, tx, b, a, ty);
    }

    private static AffineMatrix BestTranslation(double degrees, double scale, PointF[] src, PointF[] dst)
    {
        var m = Similarity(degrees, scale, 0, 0);
        double tx = 0, ty = 0;
        for (var i = 0; i < src.Length; i++)
        {
            var p = m.Apply(src[i]);
            tx += dst[i].X - p.X;
            ty += dst[i].Y - p.Y;
        }

        return m with { M13 = tx / src.Length, M23 = ty / src.Length };
    }

    private static double Residual(AffineMatrix m, PointF[] src, PointF[] dst)
    {
        double sum = 0;
        for (var i = 0; i < src.Length; i++)
        {
            var p = m.Apply(src[i]);
            sum += Math.Pow(p.X - dst[i].X, 2) + Math.Pow(p.Y - dst[i].Y, 2);
        }

        return sum;
    }
}
