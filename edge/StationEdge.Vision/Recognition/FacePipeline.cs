using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Quality;

namespace StationEdge.Vision.Recognition;

/// <summary>A face in a frame: where it is, how usable it is, and its unit-length embedding.</summary>
public sealed record FaceAnalysis(DetectedFace Face, FaceQuality Quality, float[] Embedding);

/// <summary>
/// Detect → quality → align → embed, for the CLI's detect/identify/eval and the recogniser. All faces of a
/// frame are aligned into one reused batch buffer and embedded in one run. Calls are serialised.
/// </summary>
public sealed class FacePipeline : IDisposable
{
    private readonly bool _ownsModels;
    private readonly Lock _gate = new();
    private float[] _batch = [];

    public FacePipeline(FaceModels models)
        : this(models, ownsModels: false)
    {
    }

    private FacePipeline(FaceModels models, bool ownsModels)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Detector is null)
        {
            throw new ArgumentException("the face pipeline needs the detector: load the models with FaceModelParts.Detector", nameof(models));
        }

        Models = models;
        _ownsModels = ownsModels;
    }

    public FaceModels Models { get; }

    /// <summary>The embedder's sha256, to tag templates and to open the matching <see cref="FaceGallery"/>.</summary>
    public string EmbedderSha256 => Models.EmbedderSha256 ?? throw NotLoaded("embedder", FaceModelParts.Embedder);

    /// <summary>An empty gallery for this embedder's templates: its tag and dimension count, the rule given (default: the defaults).</summary>
    public FaceGallery CreateGallery(GalleryOptions? options = null) =>
        new(EmbedderSha256, (Models.Embedder ?? throw NotLoaded("embedder", FaceModelParts.Embedder)).Dimensions, options);

    /// <summary>Loads the models in <paramref name="modelsDir"/> into a pipeline that owns them.</summary>
    public static FacePipeline Load(string modelsDir, VisionOptions? options = null)
    {
        var models = FaceModels.Load(modelsDir, options);
        try
        {
            return new FacePipeline(models, ownsModels: true);
        }
        catch
        {
            models.Dispose();
            throw;
        }
    }

    /// <summary>Faces, highest detector score first.</summary>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image) => Models.Detector!.Detect(image);

    /// <summary>
    /// The first <paramref name="maxFaces"/> faces by detector score, each with quality and embedding.
    /// A face whose keypoints cannot be aligned (collapsed onto one spot) is left out; keypoints that are not
    /// finite are a detector bug and throw <see cref="ArgumentException"/>.
    /// </summary>
    public FaceAnalysis[] Analyze(RgbImage image, int maxFaces = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFaces);
        var faces = Detect(image);
        return Analyze(image, faces.Count > maxFaces ? faces.Take(maxFaces).ToList() : faces);
    }

    /// <summary>
    /// Quality and embedding of faces already detected in <paramref name="image"/> (by <see cref="Detect"/>, or a
    /// tracker that kept them from an earlier frame). A face whose keypoints cannot be aligned is left out.
    /// </summary>
    public FaceAnalysis[] Analyze(RgbImage image, IReadOnlyList<DetectedFace> faces)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(faces);
        var embedder = Models.Embedder ?? throw NotLoaded("embedder", FaceModelParts.Embedder);
        var count = faces.Count;
        if (count == 0)
        {
            return [];
        }

        lock (_gate)
        {
            if (_batch.Length < count * FaceAligner.TensorLength)
            {
                _batch = new float[count * FaceAligner.TensorLength];
            }

            var aligned = new List<DetectedFace>(count);
            for (var i = 0; i < count; i++)
            {
                // Keypoints collapsed onto one spot give no usable crop: that face is left out, the others count.
                if (Models.Alignment.TryAlign(image, faces[i], _batch.AsSpan(aligned.Count * FaceAligner.TensorLength, FaceAligner.TensorLength), out _))
                {
                    aligned.Add(faces[i]);
                }
            }

            var embeddings = embedder.Embed(_batch, aligned.Count);
            var result = new FaceAnalysis[aligned.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new FaceAnalysis(aligned[i], FaceQuality.Measure(image, aligned[i]), embeddings[i]);
            }

            return result;
        }
    }

    /// <summary>Liveness of one face (about 50 ms: call it for the face that matched, not every frame).</summary>
    public LivenessResult CheckLiveness(RgbImage image, DetectedFace face) =>
        (Models.Liveness ?? throw NotLoaded("liveness model", FaceModelParts.Liveness)).Score(image, face);

    public void Dispose()
    {
        if (_ownsModels)
        {
            Models.Dispose();
        }
    }

    private static InvalidOperationException NotLoaded(string what, FaceModelParts part) =>
        new($"the {what} is not loaded: load the models with FaceModelParts.{part}");
}
