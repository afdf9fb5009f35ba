using System.Drawing;
using System.Numerics;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Evaluation;

/// <summary>
/// Door-camera frames made from one photo, to simulate a walk-up: the face re-framed as a 480×480 close-up (the face a
/// third of the frame) with a small random shift (±5% of the face), size (±8%), roll (±5°) and exposure (gain ±15%,
/// offset ±10 levels) per frame. Each frame is detected and aligned afresh, so the keypoint jitter between frames — the
/// largest frame-to-frame change a still person gives — is in the simulation. What it leaves out is a real walk-up's
/// change of pose and expression, so it understates what fusing frames gains: a conservative stand-in. Seeded, so a run
/// gives the same figures each time.
/// </summary>
public sealed class WalkUpFrames(int seed = 20261201)
{
    public const int FrameSize = 480;

    private readonly Random _random = new(seed);

    public RgbImage Next(RgbImage photo, RectangleF faceBox)
    {
        ArgumentNullException.ThrowIfNull(photo);
        float U(float amplitude) => (float)((_random.NextDouble() * 2) - 1) * amplitude;
        var side = 3f * Math.Max(faceBox.Width, faceBox.Height) * (1 + U(0.08f));
        var cx = faceBox.X + (faceBox.Width / 2) + (U(0.05f) * faceBox.Width);
        var cy = faceBox.Y + (faceBox.Height / 2) + (U(0.05f) * faceBox.Height);
        var toFrame = Matrix3x2.CreateTranslation(-cx, -cy)
            * Matrix3x2.CreateRotation(U(5f) * MathF.PI / 180f)
            * Matrix3x2.CreateScale(FrameSize / side)
            * Matrix3x2.CreateTranslation(FrameSize / 2f, FrameSize / 2f);
        var frame = AffineWarp.WarpBilinear(photo, toFrame, FrameSize, FrameSize);
        var gain = 1 + U(0.15f);
        var offset = U(10f);
        var pixels = frame.Pixels;
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)Math.Clamp((pixels[i] * gain) + offset, 0f, 255f);
        }

        return frame;
    }
}
