using System.Drawing;

namespace StationEdge.Vision.Detection;

/// <summary>
/// Anchor centres of MediaPipe's SSD anchor generator as configured for BlazeFace: fixed anchor size
/// (so only the centres matter), aspect ratio 1 plus the interpolated scale → 2 anchors per cell per
/// layer, consecutive layers with the same stride merged into one grid.
/// </summary>
public static class BlazeFaceAnchors
{
    private const int AnchorsPerCellPerLayer = 2;

    /// <summary>Centres in normalised input coordinates [0,1], in the order the model emits its rows.</summary>
    public static PointF[] Generate(int inputSize, IReadOnlyList<int> strides)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentNullException.ThrowIfNull(strides);
        var anchors = new List<PointF>();
        var layer = 0;
        while (layer < strides.Count)
        {
            var stride = strides[layer];
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
            var sameStride = 0;
            while (layer < strides.Count && strides[layer] == stride)
            {
                sameStride++;
                layer++;
            }

            var grid = (int)Math.Ceiling((double)inputSize / stride);
            var perCell = sameStride * AnchorsPerCellPerLayer;
            for (var y = 0; y < grid; y++)
            {
                for (var x = 0; x < grid; x++)
                {
                    var centre = new PointF((x + 0.5f) / grid, (y + 0.5f) / grid);
                    for (var a = 0; a < perCell; a++)
                    {
                        anchors.Add(centre);
                    }
                }
            }
        }

        return [.. anchors];
    }
}
