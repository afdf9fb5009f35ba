using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Onnx;

namespace StationEdge.Vision.Tests.Recognition;

public sealed class FaceModelsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stationedge-models-").FullName;

    // ONNX Runtime is loaded once per process: load it from the real models folder first, so these tests'
    // temporary folders never become the process's library path that other tests check.
    public FaceModelsTests() => OnnxTestModels.LoadRuntime();

    [Fact]
    public void Load_MissingFolder_NamesItAndHowToFixIt()
    {
        var missing = Path.Combine(_dir, "nope");

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("deploy.sh setup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingEmbedder_NamesTheFile()
    {
        Link(OnnxRuntimeLibraryFile, FaceModels.FrontDetectorFile, FaceModels.BackDetectorFile);

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(_dir, new VisionOptions { Parts = FaceModelParts.Detector | FaceModelParts.Embedder }));

        Assert.Contains(FaceModels.EmbedderFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DetectorOnly_DetectsButRefusesToEmbed()
    {
        Link(OnnxRuntimeLibraryFile, FaceModels.FrontDetectorFile);

        using var pipeline = FacePipeline.Load(_dir, new VisionOptions { Parts = FaceModelParts.Detector, UseBackModel = false, IntraOpThreads = 1 });
        using var image = new StationEdge.Vision.Imaging.RgbImage(64, 64);

        Assert.Empty(pipeline.Detect(image));
        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Analyze(image));
        Assert.Contains("embedder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FolderWithoutTheLock_IsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(_dir, FaceModels.FrontDetectorFile), OnnxTestModels.PathOf(FaceModels.FrontDetectorFile));

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(_dir, new VisionOptions { Parts = FaceModelParts.Detector, UseBackModel = false }));

        Assert.Contains(ModelLock.FileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileNotMatchingTheLock_IsRefusedNamingTheFile()
    {
        Link(OnnxRuntimeLibraryFile, FaceModels.FrontDetectorFile);
        File.Delete(Path.Combine(_dir, ModelLock.FileName));
        var runtimeSha = ModelDirectory.ComputeSha256(OnnxTestModels.PathOf(OnnxRuntimeLibraryFile));
        File.WriteAllText(Path.Combine(_dir, ModelLock.FileName), $$"""
            {
              "schema": 1,
              "packages": [ { "name": "p", "version": "1", "tarball": "p.tgz", "sha256": "00", "license": "MIT" } ],
              "artifacts": [
                { "id": "onnxruntime", "package": "p", "path": "y", "sha256": "{{runtimeSha}}", "file": "libonnxruntime.so.1" },
                { "id": "blazeface-front", "package": "p", "path": "x", "sha256": "0000000000000000000000000000000000000000000000000000000000000000", "file": "blazeface-front.onnx" } ]
            }
            """);

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(_dir, new VisionOptions { Parts = FaceModelParts.Detector, UseBackModel = false }));

        Assert.Contains(FaceModels.FrontDetectorFile, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not match", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string OnnxRuntimeLibraryFile = "libonnxruntime.so.1";

    private void Link(params string[] files)
    {
        foreach (var file in files.Append(ModelLock.FileName))
        {
            File.CreateSymbolicLink(Path.Combine(_dir, file), OnnxTestModels.PathOf(file));
        }
    }
}
