using StationEdge.Vision.Onnx;

namespace StationEdge.Vision.Tests.Onnx;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OnnxMemoryCollection
{
    // Alone, so other tests' allocations do not show up in this process's RSS.
    public const string Name = "ONNX memory";
}

[Collection(OnnxMemoryCollection.Name)]
public sealed class OnnxMemoryTests
{
    private const long AllowedGrowthBytes = 20L * 1024 * 1024;

    public OnnxMemoryTests() => OnnxTestModels.LoadRuntime();

    [Fact]
    public void TenThousandBlazeFaceRuns_WithFreshValuesEachTime_DoNotGrowRss()
    {
        using var session = new InferenceSession(OnnxTestModels.PathOf(OnnxTestModels.BlazeFaceFront), new SessionOptions { IntraOpNumThreads = 1 });
        var pixels = new float[128 * 128 * 3];
        long[] shape = [1, 128, 128, 3];

        void RunOnce(int i)
        {
            pixels[i % pixels.Length] = (i % 200 / 100f) - 1f;
            using var input = OrtValue.CreateTensorValueFromMemory(pixels, shape);
            using var outputs = session.Run(["input:0"], [input], session.OutputNames);
            Assert.Equal(4, outputs.Count);
        }

        for (var i = 0; i < 500; i++)
        {
            RunOnce(i);
        }

        var before = SettledRss();
        for (var i = 0; i < 10_000; i++)
        {
            RunOnce(i);
        }

        var after = SettledRss();

        Assert.True(
            after - before < AllowedGrowthBytes,
            $"RSS grew by {(after - before) / 1024} KiB over 10,000 runs ({before / 1024} KiB → {after / 1024} KiB)");
    }

    private static long SettledRss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
        return kib * 1024;
    }
}
