using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Embedding;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Models;

namespace StationEdge.Vision.Recognition;

/// <summary>
/// The face models loaded from a models folder: blazeface-front.onnx (+ blazeface-back.onnx), the embedder
/// (faceplugin-feature.onnx or mobilefacenet.onnx, <see cref="VisionOptions.Embedder"/>) and antispoof.onnx as asked for, on ONNX Runtime from the Microsoft.ML.OnnxRuntime package. The folder must hold
/// the set-up's copy of models.lock.json (the lock built in); each session is made from the bytes whose sha256 was
/// just checked against it.
/// </summary>
public sealed class FaceModels : IDisposable
{
    public const string FrontDetectorFile = "blazeface-front.onnx";
    public const string BackDetectorFile = "blazeface-back.onnx";
    public const string EmbedderFile = "mobilefacenet.onnx";
    public const string FacepluginEmbedderFile = "faceplugin-feature.onnx";
    public const string LivenessFile = "antispoof.onnx";
    public const string LandmarkFile = "faceplugin-landmark.onnx";

    private readonly List<(string File, string Sha256)> _loaded = [];

    private FaceModels(string directory, VisionOptions options)
    {
        Directory = directory;
        Options = options;
    }

    public string Directory { get; }

    public VisionOptions Options { get; }

    public FaceDetector? Detector { get; private set; }

    public FaceEmbedder? Embedder { get; private set; }

    public LivenessScorer? Liveness { get; private set; }

    /// <summary>The landmark model, loaded with the embedder when <see cref="VisionOptions.Alignment"/> is landmarks.</summary>
    public FaceLandmarker? Landmarker { get; private set; }

    /// <summary>How faces are aligned for the embedder: on the landmarks when loaded, else on BlazeFace's keypoints.</summary>
    public FaceAlignment Alignment { get; private set; } = FaceAlignment.Keypoints;

    /// <summary>Each model file loaded, with the sha256 it was checked against, in load order (what a device page and the county's status list).</summary>
    public IReadOnlyList<(string File, string Sha256)> Loaded => _loaded;

    /// <summary>
    /// The tag every template made by this embedder carries (<see cref="FaceEmbedder.TemplateTag"/>: the model file's
    /// sha256, or a hash of it and "+mirror" with mirror averaging); null without the embedder.
    /// </summary>
    public string? EmbedderSha256 => Embedder?.TemplateTag;

    /// <summary>The ONNX Runtime settings every StationEdge session runs with (the bench uses them too).</summary>
    public static SessionOptions CreateSessionOptions(VisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Errors only: ORT's warnings about the pinned models (unused initializers it removes) are noise to a station keeper.
        var sessionOptions = new SessionOptions { IntraOpNumThreads = options.IntraOpThreads, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        if (options.IntraOpThreads != 1 && !options.AllowSpinning)
        {
            // Idle ORT workers otherwise spin for a while after each run, taking the core ffmpeg needs.
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }

        return sessionOptions;
    }

    /// <exception cref="ModelIntegrityException">The folder or a file is missing, a file does not match the lock, or ONNX Runtime cannot load it.</exception>
    public static FaceModels Load(string modelsDir, VisionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelsDir);
        options ??= new VisionOptions();
        if (options.IntraOpThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.IntraOpThreads, "IntraOpThreads must be 0 (ORT chooses) or more");
        }

        // Nothing runs unchecked: the lock copy that set-up wrote names every file's sha256.
        var directory = ModelDirectory.Open(modelsDir);
        var models = new FaceModels(directory.FullPath, options);
        try
        {
            using var sessionOptions = CreateSessionOptions(options);
            InferenceSession Session(string artifactId, string fileName)
            {
                var runtimeFile = directory.Lock.Runtime(artifactId).RuntimeFile;
                if (runtimeFile != fileName)
                {
                    throw new ModelIntegrityException($"the model lock names {runtimeFile} for '{artifactId}', but StationEdge loads {fileName}");
                }

                var session = directory.CreateSession(artifactId, sessionOptions);
                models._loaded.Add((fileName, directory.Sha256Of(artifactId)));
                return session;
            }

            if (options.Parts.HasFlag(FaceModelParts.Detector))
            {
                var front = Session("blazeface-front", FrontDetectorFile);
                InferenceSession? back = null;
                try
                {
                    back = options.UseBackModel ? Session("blazeface-back", BackDetectorFile) : null;
                    models.Detector = new FaceDetector(front, back, options.Detector);
                }
                catch
                {
                    front.Dispose();
                    back?.Dispose();
                    throw;
                }
            }

            if (options.Parts.HasFlag(FaceModelParts.Embedder))
            {
                var (artifact, file) = EmbedderArtifact(options.Embedder);
                var session = Session(artifact, file);
                try
                {
                    // The embedder first, so a folder without it names it; the landmark model's sha256 is the lock's.
                    var alignmentTag = options.Alignment == AlignmentMethod.Landmarks ? FaceAlignment.LandmarkTag(directory.Sha256Of(LandmarkArtifact)) : null;
                    models.Embedder = new FaceEmbedder(session, directory.Sha256Of(artifact), options.MirrorAverage, alignmentTag);
                }
                catch
                {
                    session.Dispose();
                    throw;
                }

                if (options.Alignment == AlignmentMethod.Landmarks)
                {
                    var landmarkSession = Session(LandmarkArtifact, LandmarkFile);
                    try
                    {
                        models.Landmarker = new FaceLandmarker(landmarkSession, directory.Sha256Of(LandmarkArtifact));
                    }
                    catch
                    {
                        landmarkSession.Dispose();
                        throw;
                    }

                    models.Alignment = new FaceAlignment(models.Landmarker, options.MaxLandmarkDisagreement);
                }
            }

            if (options.Parts.HasFlag(FaceModelParts.Liveness))
            {
                var session = Session("antispoof", LivenessFile);
                try
                {
                    models.Liveness = new LivenessScorer(session, options.LivenessThreshold, options.LivenessCropScale);
                }
                catch
                {
                    session.Dispose();
                    throw;
                }
            }

            return models;
        }
        catch
        {
            models.Dispose();
            throw;
        }
    }

    public const string LandmarkArtifact = "faceplugin-landmark";

    /// <summary>
    /// The alignment a template tag says its crops were made with, for the embedders this lock pins (either, mirrored or
    /// not, on the keypoints or on the pinned landmark model); null for a tag none of them gives (another lock's model).
    /// A kept crop is aligned already, so re-embedding it can change the embedder but never the alignment.
    /// </summary>
    public static AlignmentMethod? AlignmentOfTag(string templateTag, ModelDirectory directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateTag);
        ArgumentNullException.ThrowIfNull(directory);
        var landmarks = FaceAlignment.LandmarkTag(directory.Sha256Of(LandmarkArtifact));
        foreach (var embedder in Enum.GetValues<EmbedderModel>())
        {
            var sha = directory.Sha256Of(EmbedderArtifact(embedder).ArtifactId);
            foreach (var mirror in (bool[])[false, true])
            {
                if (string.Equals(templateTag, FaceEmbedder.TagFor(sha, mirror, null), StringComparison.OrdinalIgnoreCase))
                {
                    return AlignmentMethod.Keypoints;
                }

                if (string.Equals(templateTag, FaceEmbedder.TagFor(sha, mirror, landmarks), StringComparison.OrdinalIgnoreCase))
                {
                    return AlignmentMethod.Landmarks;
                }
            }
        }

        return null;
    }

    /// <summary>The lock's artifact id and the file StationEdge loads for an embedder.</summary>
    public static (string ArtifactId, string File) EmbedderArtifact(EmbedderModel embedder) => embedder switch
    {
        EmbedderModel.Faceplugin => ("faceplugin-feature", FacepluginEmbedderFile),
        EmbedderModel.MobileFaceNet => ("mobilefacenet", EmbedderFile),
        _ => throw new ArgumentOutOfRangeException(nameof(embedder), embedder, "unknown embedder"),
    };

    public void Dispose()
    {
        Detector?.Dispose();
        Embedder?.Dispose();
        Liveness?.Dispose();
        Landmarker?.Dispose();
    }
}
