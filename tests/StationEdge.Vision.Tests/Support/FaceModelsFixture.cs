using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Onnx;

namespace StationEdge.Vision.Tests.Support;

/// <summary>All face models loaded once for a test class, from the test models folder.</summary>
public sealed class FaceModelsFixture : IDisposable
{
    private readonly Lazy<FacePipeline> _pipeline = new(() => FacePipeline.Load(OnnxTestModels.Directory, new VisionOptions { IntraOpThreads = 1 }));

    /// <summary>Loaded on first use, so a missing model fails the test that needs it with the loader's message.</summary>
    public FacePipeline Pipeline => _pipeline.Value;

    public void Dispose()
    {
        if (_pipeline.IsValueCreated)
        {
            _pipeline.Value.Dispose();
        }
    }
}
