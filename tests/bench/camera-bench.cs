#:project ../../edge/StationEdge.Camera/StationEdge.Camera.csproj
// Camera figures on this machine: dotnet run -c Release tests/bench/camera-bench.cs [SOURCE] [SECONDS]
// (default lavfi:testsrc=size=640x480:rate=15 at 640x480, 15 fps, for 20 s).
using StationEdge.Camera;

var source = args.Length > 0 ? args[0] : "lavfi:testsrc=size=640x480:rate=15";
var seconds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20;
var options = new CameraOptions { Source = source, Width = 640, Height = 480, Fps = 15 };
var result = await CameraBench.RunAsync(options, TimeSpan.FromSeconds(seconds), CancellationToken.None);
Console.WriteLine(result);
