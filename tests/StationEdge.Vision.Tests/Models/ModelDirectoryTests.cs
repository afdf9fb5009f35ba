using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Onnx;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Models;

public sealed class ModelDirectoryTests : IDisposable
{
    private readonly TempFolder _dir = new("stationedge-models-");
    private readonly SessionOptions _options = new() { IntraOpNumThreads = 1 };

    public void Dispose()
    {
        _options.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void BuiltInLock_IsTheRepositorysModelsLock()
    {
        var repoLock = Path.Combine(RepoPaths.Root!, "models", ModelLock.FileName);

        Assert.Equal(File.ReadAllBytes(repoLock), ModelLock.BuiltInBytes.ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(repoLock))), ModelLock.BuiltInSha256);
    }

    [Fact]
    public void CreateSession_UsesTheBytesItChecked_SoAFileChangedAfterTheCheckIsNotWhatRuns()
    {
        var directory = Install(FaceModels.FrontDetectorFile);
        var verified = directory.ReadVerified("blazeface-front");

        // Swapped between the check and the load: the session is still over the checked bytes.
        File.WriteAllBytes(_dir.File(FaceModels.FrontDetectorFile), TinyOnnxModel.AddRelu([0f, 0f, 0f, 0f]));
        using var session = ModelDirectory.CreateSession(verified, _options);

        Assert.Equal(["input:0"], session.InputNames);
        Assert.Equal(4, session.OutputNames.Count);
        Assert.Equal(ModelDirectory.ComputeSha256(OnnxTestModels.PathOf(FaceModels.FrontDetectorFile)), verified.Sha256);
    }

    [Fact]
    public void CreateSession_OfAFileChangedBeforeTheCheck_IsRefusedInOneLineNamingIt()
    {
        var directory = Install(FaceModels.FrontDetectorFile);
        var model = _dir.File(FaceModels.FrontDetectorFile);
        File.WriteAllBytes(model, TinyOnnxModel.AddRelu([0f, 0f, 0f, 0f]));

        var error = Assert.Throws<ModelIntegrityException>(() => directory.CreateSession("blazeface-front", _options));

        Assert.StartsWith($"{model}: sha256 ", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the lock", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void CreateSession_OverBytesOrtCannotParse_NamesTheFileInOneLineWithOrtsReason()
    {
        var garbage = Enumerable.Range(0, 1000).Select(i => (byte)((i * 7919) >> 3)).ToArray();
        var model = new VerifiedModel("corrupt", "/models/corrupt.onnx", Convert.ToHexStringLower(SHA256.HashData(garbage)), garbage);

        var error = Assert.Throws<ModelIntegrityException>(() => ModelDirectory.CreateSession(model, _options));

        Assert.StartsWith("/models/corrupt.onnx: ONNX Runtime cannot load it: ", error.Message, StringComparison.Ordinal);
        Assert.IsType<OnnxRuntimeException>(error.InnerException);
        Assert.True(error.Message.Length > "/models/corrupt.onnx: ONNX Runtime cannot load it: ".Length, "ORT's reason follows");
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("../escape.onnx")]
    [InlineData("demo/../../escape.onnx")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    [InlineData("a//b.onnx")]
    [InlineData("./b.onnx")]
    [InlineData("..\\\\escape.onnx")]
    public void Parse_ArtifactWhosePathLeavesTheFolder_IsRefusedNamingIt(string file)
    {
        var json = $$"""
            {
              "schema": 1,
              "packages": [ { "name": "p", "version": "1", "tarball": "p.tgz", "sha256": "00" } ],
              "artifacts": [ { "id": "m", "package": "p", "path": "x", "sha256": "00", "file": "{{file}}" } ]
            }
            """;

        var error = Assert.Throws<ModelIntegrityException>(() => ModelLock.Parse(json, "test.lock.json"));

        Assert.Equal(
            $"test.lock.json: artifact 'm' names file '{file.Replace("\\\\", "\\", StringComparison.Ordinal)}', which is not a plain relative path inside the models folder",
            error.Message);
    }

    [Fact]
    public void Parse_ConvertedOutputWhosePathLeavesTheFolder_IsRefused()
    {
        const string json = """
            {
              "schema": 1,
              "packages": [ { "name": "p", "version": "1", "tarball": "p.tgz", "sha256": "00" } ],
              "artifacts": [ { "id": "m", "package": "p", "path": "x", "sha256": "00", "file": "m.tflite", "convert": { "to": "../m.onnx", "sha256": "00" } } ]
            }
            """;

        var error = Assert.Throws<ModelIntegrityException>(() => ModelLock.Parse(json, "test.lock.json"));

        Assert.Contains("'../m.onnx'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FollowsRelativeAndDirectoryLinks()
    {
        Directory.CreateDirectory(_dir.File("real/inner"));
        File.WriteAllText(_dir.File("real/inner/file"), "x");
        Directory.CreateSymbolicLink(_dir.File("dirlink"), "real");
        File.CreateSymbolicLink(_dir.File("real/inner/filelink"), "../inner/file");

        var root = ModelDirectory.Resolve(_dir.Path);

        Assert.Equal(Path.Combine(root, "real/inner/file"), ModelDirectory.Resolve(_dir.File("dirlink/inner/filelink")));
        Assert.True(ModelDirectory.IsUnder(ModelDirectory.Resolve(_dir.File("dirlink/inner/filelink")), root));
        Assert.False(ModelDirectory.IsUnder(root, root));
    }

    [Fact]
    public void Resolve_OfALinkLoop_FailsInsteadOfSpinning()
    {
        File.CreateSymbolicLink(_dir.File("a"), "b");
        File.CreateSymbolicLink(_dir.File("b"), "a");

        var error = Assert.Throws<ModelIntegrityException>(() => ModelDirectory.Resolve(_dir.File("a")));

        Assert.Contains("symbolic links", error.Message, StringComparison.Ordinal);
    }

    private ModelDirectory Install(params string[] files)
    {
        foreach (var file in files.Append(ModelLock.FileName))
        {
            File.Copy(OnnxTestModels.PathOf(file), _dir.File(file));
        }

        return ModelDirectory.Open(_dir.Path);
    }
}
