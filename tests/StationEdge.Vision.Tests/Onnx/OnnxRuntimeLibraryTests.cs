using System.Runtime.InteropServices;
using StationEdge.Vision.Interop.OnnxRuntime;
using StationEdge.Vision.Onnx;

namespace StationEdge.Vision.Tests.Onnx;

public sealed class OnnxRuntimeLibraryTests
{
    public OnnxRuntimeLibraryTests() => OnnxTestModels.LoadRuntime();

    [Fact]
    public void Load_WithTheModelsFolderLibrary_ReportsOrt130()
    {
        Assert.True(OnnxRuntimeLibrary.IsLoaded);
        Assert.StartsWith("1.30", OnnxRuntimeLibrary.Version, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(OnnxTestModels.PathOf(OnnxRuntimeLibrary.FileName)), OnnxRuntimeLibrary.LoadedPath);
    }

    [Fact]
    public void Load_CalledAgain_IsHarmless()
    {
        OnnxRuntimeLibrary.LoadFromModelsDirectory(OnnxTestModels.Directory);
        OnnxTestModels.LoadRuntime();

        Assert.StartsWith("1.30", OnnxRuntimeLibrary.Version, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenTheFileIsMissing_SaysWhereItLookedAndHowToFixIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-models-" + Guid.NewGuid().ToString("N"), "libonnxruntime.so.1");

        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeLibrary.Load(missing));

        Assert.Equal($"ONNX Runtime library not found at {missing}: run ./deploy.sh setup", error.Message);
        Assert.Equal(OrtErrorCode.NoSuchFile, error.ErrorCode);
    }

    [Fact]
    public void Open_WhenTheFileIsNotALibrary_NamesTheFile()
    {
        var garbage = Path.Combine(Path.GetTempPath(), $"garbage-{Guid.NewGuid():N}.so.1");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);
        try
        {
            var error = Assert.Throws<OnnxRuntimeException>(() => OrtNativeLibrary.Open(garbage));

            Assert.StartsWith($"cannot load ONNX Runtime library {garbage}: ", error.Message, StringComparison.Ordinal);
            Assert.Contains("ELF", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        }
        finally
        {
            File.Delete(garbage);
        }
    }

    [Fact]
    public void Open_WhenTheLibraryIsNotOnnxRuntime_SaysOrtGetApiBaseIsMissing()
    {
        // libc is mapped into every process here and certainly lacks OrtGetApiBase.
        var libc = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty)
            .First(path => Path.GetFileName(path).StartsWith("libc.so", StringComparison.Ordinal));

        var error = Assert.Throws<OnnxRuntimeException>(() => OrtNativeLibrary.Open(libc));

        Assert.Equal($"{libc} is not ONNX Runtime: it does not export OrtGetApiBase", error.Message);
    }

    [Theory]
    [InlineData("1.30.0", "1.30.0")]
    [InlineData("1.31.2-dev+abc", "1.31.2")]
    [InlineData("garbage", null)]
    public void ParseVersion_ReadsTheLeadingVersionNumber(string text, string? expected) =>
        Assert.Equal(expected is null ? null : Version.Parse(expected), OrtNativeLibrary.ParseVersion(text));

    [Fact]
    public unsafe void Status_CreatedByOrt_ComesBackWithItsCodeAndMessage()
    {
        // Round-trips CreateStatus → GetErrorCode/GetErrorMessage → ReleaseStatus through the function table.
        var text = Marshal.StringToCoTaskMemUTF8("made by the test");
        nint status;
        try
        {
            status = OrtApi.CreateStatus((int)OrtErrorCode.NotImplemented, (byte*)text);
        }
        finally
        {
            Marshal.FreeCoTaskMem(text);
        }

        var error = Assert.Throws<OnnxRuntimeException>(() => OrtStatus.Check(status, "checking"));

        Assert.Equal(OrtErrorCode.NotImplemented, error.ErrorCode);
        Assert.Equal("made by the test", error.NativeMessage);
        Assert.Equal("checking: made by the test", error.Message);
    }

    [Fact]
    public unsafe void BrokenCall_ReturnsOrtsOwnErrorMessage()
    {
        // A [2,2] float tensor over a 4-byte buffer: ORT itself must refuse it, naming the 16 bytes it needs.
        var one = 1f;
        var shape = new long[] { 2, 2 };
        nint value = 0;
        nint status;
        fixed (long* dims = shape)
        {
            status = OrtApi.CreateTensorWithDataAsOrtValue(
                OrtEnvironment.CpuMemoryInfo, &one, sizeof(float), dims, 2, (int)TensorElementType.Float, &value);
        }

        var error = Assert.Throws<OnnxRuntimeException>(() => OrtStatus.Check(status, "tensor over too small a buffer"));

        Assert.Equal(0, value);
        Assert.Equal(OrtErrorCode.InvalidArgument, error.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(error.NativeMessage));
        Assert.Equal($"tensor over too small a buffer: {error.NativeMessage}", error.Message);
        Assert.Contains("16", error.NativeMessage, StringComparison.Ordinal);
    }
}
