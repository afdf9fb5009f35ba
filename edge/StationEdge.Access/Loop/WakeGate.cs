using StationEdge.Vision.Imaging;

namespace StationEdge.Access;

/// <summary>
/// Whether a frame is worth a detector run (<c>Access:Wake</c>): always; while the PIR sensor sees someone; or when the
/// frame differs from the last one looked at. Whatever the mode, a walk-up in progress keeps the detector running, and a
/// wake signal holds it on for <c>Access:WakeHoldMs</c>.
/// </summary>
internal sealed class WakeGate(AccessOptions options, TimeProvider time)
{
    // The motion check compares mean luma over a coarse grid: about 1,200 samples of a 640×480 frame, a few microseconds.
    private const int GridColumns = 40;
    private const int GridRows = 30;

    private readonly float[] _grid = new float[GridColumns * GridRows];
    private bool _hasGrid;
    private long _wokeAt;
    private bool _awake;

    public bool ShouldDetect(RgbImage image, long timestamp, bool presence, bool walkUpActive)
    {
        var signal = options.Wake switch
        {
            AccessWake.Presence => presence,
            AccessWake.Motion => Moved(image),
            _ => true,
        };
        if (signal || walkUpActive)
        {
            _awake = true;
            _wokeAt = timestamp;
            return true;
        }

        if (_awake && time.GetElapsedTime(_wokeAt, timestamp) <= TimeSpan.FromMilliseconds(options.WakeHoldMs))
        {
            return true;
        }

        _awake = false;
        return false;
    }

    private bool Moved(RgbImage image)
    {
        double difference = 0;
        var pixels = image.Pixels;
        for (var row = 0; row < GridRows; row++)
        {
            var y = ((2 * row) + 1) * image.Height / (2 * GridRows);
            for (var column = 0; column < GridColumns; column++)
            {
                var x = ((2 * column) + 1) * image.Width / (2 * GridColumns);
                var i = ((y * image.Width) + x) * 3;
                var luma = (0.299f * pixels[i]) + (0.587f * pixels[i + 1]) + (0.114f * pixels[i + 2]);
                var cell = (row * GridColumns) + column;
                difference += Math.Abs(luma - _grid[cell]);
                _grid[cell] = luma;
            }
        }

        var moved = _hasGrid && difference / _grid.Length >= options.MotionThreshold;
        _hasGrid = true;
        return moved;
    }
}
