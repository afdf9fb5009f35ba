namespace StationEdge.Vision.Detection;

/// <summary>The two BlazeFace variants: input size and the SSD layer strides their anchors come from.</summary>
public sealed record BlazeFaceModel(string Name, int InputSize, int[] Strides)
{
    /// <summary>Short range, 128×128: faces that fill a good part of the frame (a door camera).</summary>
    public static BlazeFaceModel Front { get; } = new("blazeface-front", 128, [8, 16, 16, 16]);

    /// <summary>Full range, 256×256: finds the small faces of a group photo the front model misses.</summary>
    public static BlazeFaceModel Back { get; } = new("blazeface-back", 256, [16, 32, 32, 32]);

    public const int KeypointCount = 6;

    /// <summary>Values per anchor in the regressor output: box (dx, dy, w, h) then 6 keypoints (x, y).</summary>
    public const int RegressorLength = 4 + (2 * KeypointCount);
}
