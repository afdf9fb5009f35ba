using System.Drawing;
using System.Numerics;

namespace StationEdge.Vision.Alignment;

/// <summary>
/// A 2×3 affine map in OpenCV's layout: x' = M11·x + M12·y + M13, y' = M21·x + M22·y + M23.
/// </summary>
public readonly record struct AffineMatrix(double M11, double M12, double M13, double M21, double M22, double M23)
{
    public static AffineMatrix Identity { get; } = new(1, 0, 0, 0, 1, 0);

    public double Determinant => (M11 * M22) - (M12 * M21);

    /// <summary>Uniform scale of a similarity transform (geometric mean of the axis scales for a general affine).</summary>
    public double Scale => Math.Sqrt(Math.Abs(Determinant));

    public PointF Apply(PointF p) => new((float)((M11 * p.X) + (M12 * p.Y) + M13), (float)((M21 * p.X) + (M22 * p.Y) + M23));

    public AffineMatrix Invert()
    {
        var det = Determinant;
        if (!(Math.Abs(det) > 1e-12) || !double.IsFinite(det))
        {
            throw new InvalidOperationException($"affine matrix is singular (determinant {det}) and cannot be inverted");
        }

        var i11 = M22 / det;
        var i12 = -M12 / det;
        var i21 = -M21 / det;
        var i22 = M11 / det;
        return new AffineMatrix(i11, i12, -((i11 * M13) + (i12 * M23)), i21, i22, -((i21 * M13) + (i22 * M23)));
    }

    /// <summary>The same map in System.Numerics' row-vector layout, as <see cref="Imaging.AffineWarp"/> takes it.</summary>
    public Matrix3x2 ToMatrix3x2() => new((float)M11, (float)M21, (float)M12, (float)M22, (float)M13, (float)M23);

    /// <summary>The matrix as {M11, M12, M13, M21, M22, M23}.</summary>
    public double[] ToArray() => [M11, M12, M13, M21, M22, M23];
}
