namespace StationEdge.Camera.Tests.Support;

/// <summary>Test media made by ffmpeg itself: nothing is checked in.</summary>
internal static class Media
{
    /// <summary>
    /// A lavfi graph whose red channel is (frame number × <paramref name="step"/>) mod 256 and green 0: a frame's content
    /// says which source frame it is.
    /// </summary>
    public static string CountingGraph(int width, int height, int rate, int step) =>
        $"nullsrc=size={width}x{height}:rate={rate},geq=r='mod(N*{step}\\,256)':g=0:b=0";

    /// <summary>Runs ffmpeg to completion (bounded) and fails the test on a non-zero exit.</summary>
    public static void Ffmpeg(params string[] args) => TestFfmpeg.Run(args);

    /// <summary>A still image of one colour.</summary>
    public static void Photo(string path, int width, int height, string color) =>
        Ffmpeg("-f", "lavfi", "-i", $"color=c={color}:size={width}x{height}", "-frames:v", "1", path);

    public static (byte R, byte G, byte B) Pixel(CameraFrame frame, int x, int y)
    {
        var i = ((y * frame.Width) + x) * 3;
        var p = frame.Pixels;
        return (p[i], p[i + 1], p[i + 2]);
    }
}
