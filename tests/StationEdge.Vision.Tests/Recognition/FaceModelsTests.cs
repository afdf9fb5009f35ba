using StationEdge.Vision.Alignment;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Onnx;

namespace StationEdge.Vision.Tests.Recognition;

public sealed class FaceModelsTests : IDisposable
{
    private readonly TempFolder _dir = new("stationedge-models-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_MissingFolder_NamesItAndHowToFixIt()
    {
        var missing = _dir.File("nope");

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("deploy.sh setup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingEmbedder_NamesTheFile()
    {
        Copy(FaceModels.FrontDetectorFile, FaceModels.BackDetectorFile);

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(_dir.Path, new VisionOptions { Parts = FaceModelParts.Detector | FaceModelParts.Embedder }));

        Assert.Contains(FaceModels.FacepluginEmbedderFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingLandmarkModel_NamesTheFile_UnlessAlignedOnKeypoints()
    {
        Copy(FaceModels.FrontDetectorFile, FaceModels.BackDetectorFile, FaceModels.FacepluginEmbedderFile);
        var parts = FaceModelParts.Detector | FaceModelParts.Embedder;

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(_dir.Path, new VisionOptions { Parts = parts, IntraOpThreads = 1 }));
        using var keypoints = FaceModels.Load(_dir.Path, new VisionOptions { Parts = parts, IntraOpThreads = 1, Alignment = AlignmentMethod.Keypoints });

        Assert.Contains(FaceModels.LandmarkFile, error.Message, StringComparison.Ordinal);
        Assert.Null(keypoints.Landmarker);
        Assert.Equal(AlignmentMethod.Keypoints, keypoints.Alignment.Method);
    }

    [Fact]
    public void Load_DetectorOnly_DetectsButRefusesToEmbed()
    {
        Copy(FaceModels.FrontDetectorFile);

        using var pipeline = FacePipeline.Load(_dir.Path, new VisionOptions { Parts = FaceModelParts.Detector, UseBackModel = false, IntraOpThreads = 1 });
        using var image = new StationEdge.Vision.Imaging.RgbImage(64, 64);

        Assert.Empty(pipeline.Detect(image));
        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Analyze(image));
        Assert.Contains("embedder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FolderWithoutTheLock_IsRefused()
    {
        File.Copy(OnnxTestModels.PathOf(FaceModels.FrontDetectorFile), _dir.File(FaceModels.FrontDetectorFile));

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(_dir.Path, new VisionOptions { Parts = FaceModelParts.Detector, UseBackModel = false }));

        Assert.Contains(ModelLock.FileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelWithOneByteChanged_IsRefusedInOneLineNamingTheFile()
    {
        Copy(FaceModels.FrontDetectorFile);
        var model = _dir.File(FaceModels.FrontDetectorFile);
        var bytes = File.ReadAllBytes(model);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(model, bytes);

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(_dir.Path, new VisionOptions { Parts = FaceModelParts.Detector, UseBackModel = false }));

        Assert.StartsWith($"{model}: sha256 ", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the lock", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Load_LockCopyThatIsNotTheBuiltInLock_IsRefusedBeforeAnyModelIsRead()
    {
        // A lock edited to match swapped models would vouch for them; the lock built into StationEdge does not.
        Copy(FaceModels.FrontDetectorFile);
        File.AppendAllText(_dir.File(ModelLock.FileName), "\n");

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(_dir.Path, new VisionOptions { Parts = FaceModelParts.Detector, UseBackModel = false }));

        Assert.StartsWith($"{_dir.File(ModelLock.FileName)}: sha256 ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"is not the lock this StationEdge was built with ({ModelLock.BuiltInSha256})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelLinkedFromOutsideTheFolder_IsRefusedThoughItsBytesMatch()
    {
        Copy();
        var outside = OnnxTestModels.PathOf(FaceModels.FrontDetectorFile);
        File.CreateSymbolicLink(_dir.File(FaceModels.FrontDetectorFile), outside);

        var error = Assert.Throws<ModelIntegrityException>(() => FaceModels.Load(_dir.Path, new VisionOptions { Parts = FaceModelParts.Detector, UseBackModel = false }));

        Assert.Contains($"{_dir.File(FaceModels.FrontDetectorFile)} leads to {ModelDirectory.Resolve(outside)}, outside the models folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelLinkedFromInsideTheFolder_IsAccepted()
    {
        Copy();
        Directory.CreateDirectory(_dir.File("store"));
        File.Copy(OnnxTestModels.PathOf(FaceModels.FrontDetectorFile), _dir.File("store/front.onnx"));
        File.CreateSymbolicLink(_dir.File(FaceModels.FrontDetectorFile), "store/front.onnx");

        using var models = FaceModels.Load(_dir.Path, new VisionOptions { Parts = FaceModelParts.Detector, UseBackModel = false, IntraOpThreads = 1 });

        Assert.NotNull(models.Detector);
    }

    /// <summary>Real copies, not links: a link out of the folder is refused, as tested above. The lock is always copied.</summary>
    private void Copy(params string[] files)
    {
        foreach (var file in files.Append(ModelLock.FileName))
        {
            File.Copy(OnnxTestModels.PathOf(file), _dir.File(file));
        }
    }
}
