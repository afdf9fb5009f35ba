using System.Runtime.InteropServices;
using System.Security.Cryptography;
using StationEdge.ModelTools.Supply;
using StationEdge.ModelTools.Tests.Support;
using StationEdge.Vision.Models;

namespace StationEdge.ModelTools.Tests;

/// <summary>The converter and the subnormal flush, as they are now, still write the bytes that models/models.lock.json pins.</summary>
public class LockPinningTests
{
    private static readonly ModelLock Lock = ModelLock.Load(Path.Combine(RepoPaths.Root, "models", ModelLock.FileName));

    public static TheoryData<string> ConvertedArtifacts()
    {
        var data = new TheoryData<string>();
        foreach (var a in Lock.Artifacts.Where(a => a.Convert is not null))
        {
            data.Add(a.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConvertedArtifacts))]
    public void Convert_OfPinnedSource_GivesPinnedOutput(string artifactId)
    {
        var artifact = Lock.Runtime(artifactId);
        var source = File.ReadAllBytes(RepoPaths.Model(artifact.File));
        Assert.Equal(artifact.Sha256, Convert.ToHexStringLower(SHA256.HashData(source)));

        var output = InstallConversion.Run(artifact, source);

        Assert.Equal(artifact.Convert!.Sha256, Convert.ToHexStringLower(SHA256.HashData(output)));
    }

    [Fact]
    public void Lock_PinsEveryArtifactsPackage_AndNoOnnxRuntime()
    {
        // ONNX Runtime comes from the Microsoft.ML.OnnxRuntime NuGet package now, not from npm into the models folder.
        Assert.DoesNotContain(Lock.Packages, p => p.Name.Contains("onnxruntime", StringComparison.Ordinal));
        Assert.DoesNotContain(Lock.Artifacts, a => a.Id == "onnxruntime" || a.RuntimeFile.Contains("libonnxruntime", StringComparison.Ordinal));
        Assert.NotEmpty(Lock.ForArchitecture(RuntimeInformation.ProcessArchitecture));
        Assert.All(Lock.Artifacts, a => Assert.Contains(Lock.Packages, p => p.Name == a.Package));
        Assert.All(Lock.Packages, p => Assert.Matches("^[0-9a-f]{64}$", p.Sha256));
    }
}
