using System.Drawing;
using StationEdge.Vision.Quality;

namespace StationEdge.Vision.Tests.Quality;

public class HeadPoseTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(-30)]
    [InlineData(50)]
    public void EstimateYaw_ProjectedModelHead_RecoversTheTurn(float degrees)
    {
        var (leftEye, rightEye, nose) = Project(degrees, rollDegrees: 0);

        Assert.Equal(degrees, HeadPose.EstimateYawDegrees(leftEye, rightEye, nose), 2);
    }

    [Fact]
    public void EstimateYaw_RolledHead_ReadsTheSameYaw()
    {
        var (l, r, n) = Project(20, rollDegrees: 35);

        Assert.Equal(20, HeadPose.EstimateYawDegrees(l, r, n), 2);
    }

    [Fact]
    public void EstimateYaw_NoseToTheImageRight_IsPositive()
    {
        Assert.True(HeadPose.EstimateYawDegrees(new PointF(40, 50), new PointF(80, 50), new PointF(70, 70)) > 0);
        Assert.True(HeadPose.EstimateYawDegrees(new PointF(40, 50), new PointF(80, 50), new PointF(50, 70)) < 0);
    }

    [Fact]
    public void EstimateYaw_EyesOnOneSpot_ReadsAsFullyTurned()
    {
        var p = new PointF(10, 10);

        Assert.Equal(90f, HeadPose.EstimateYawDegrees(p, p, new PointF(12, 20)));
    }

    /// <summary>Orthographic projection of eyes at ±32 and a nose 0.4·64 in front, turned then rolled, placed at (300, 200).</summary>
    private static (PointF Left, PointF Right, PointF Nose) Project(float yawDegrees, float rollDegrees)
    {
        var yaw = yawDegrees * MathF.PI / 180;
        var roll = rollDegrees * MathF.PI / 180;
        PointF P(float x, float y, float z)
        {
            var px = (x * MathF.Cos(yaw)) + (z * MathF.Sin(yaw));
            return new PointF(300 + (px * MathF.Cos(roll)) - (y * MathF.Sin(roll)), 200 + (px * MathF.Sin(roll)) + (y * MathF.Cos(roll)));
        }

        return (P(-32, 0, 0), P(32, 0, 0), P(0, 30, 0.4f * 64));
    }
}
