using StationEdge.Vision.Detection;
using StationEdge.Vision.Embedding;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Models;
using StationEdge.Vision.Onnx;

namespace StationEdge.Vision.Recognition;

/// <summary>
/// The face models loaded from a models folder: ONNX Runtime from &lt;dir&gt;/libonnxruntime.so.1, then
/// blazeface-front.onnx (+ blazeface-back.onnx), mobilefacenet.onnx and antispoof.onnx as asked for. The
/// folder must hold the set-up's copy of models.lock.json: every file is checked against its sha256 first.
/// </summary>
public sealed class FaceModels : IDisposable
{
    public const string FrontDetectorFile = "blazeface-front.onnx";
    public const string BackDetectorFile = "blazeface-back.onnx";
    public const string EmbedderFile = "mobilefacenet.onnx";
    public const string LivenessFile = "antispoof.onnx";

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

    /// <summary>sha256 of mobilefacenet.onnx, the tag every template made with it carries; null without the embedder.</summary>
    public string? EmbedderSha256 => Embedder?.ModelSha256;

    /// <summary>The ONNX Runtime settings every StationEdge session runs with (the bench uses them too).</summary>
    public static SessionOptions CreateSessionOptions(VisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sessionOptions = new SessionOptions { IntraOpNumThreads = options.IntraOpThreads };
        if (options.IntraOpThreads != 1 && !options.AllowSpinning)
        {
            // Idle ORT workers otherwise spin for a while after each run, taking the core ffmpeg needs.
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }

        return sessionOptions;
    }

    /// <exception cref="ModelIntegrityException">The folder or a file is missing, or a file does not match the lock.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the library or a model.</exception>
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
        string Checked(string artifactId, string fileName)
        {
            var path = directory.GetVerifiedPath(artifactId);
            if (Path.GetFileName(path) != fileName)
            {
                throw new ModelIntegrityException($"the model lock names {Path.GetFileName(path)} for '{artifactId}', but StationEdge loads {fileName}");
            }

            return path;
        }

        OnnxRuntimeLibrary.Load(Checked("onnxruntime", OnnxRuntimeLibrary.FileName));
        var models = new FaceModels(directory.FullPath, options);
        try
        {
            using var sessionOptions = CreateSessionOptions(options);

            if (options.Parts.HasFlag(FaceModelParts.Detector))
            {
                var front = new InferenceSession(Checked("blazeface-front", FrontDetectorFile), sessionOptions);
                InferenceSession? back = null;
                try
                {
                    back = options.UseBackModel ? new InferenceSession(Checked("blazeface-back", BackDetectorFile), sessionOptions) : null;
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
                var path = Checked("mobilefacenet", EmbedderFile);
                var session = new InferenceSession(path, sessionOptions);
                try
                {
                    models.Embedder = new FaceEmbedder(session, directory.Sha256Of("mobilefacenet"));
                }
                catch
                {
                    session.Dispose();
                    throw;
                }
            }

            if (options.Parts.HasFlag(FaceModelParts.Liveness))
            {
                var session = new InferenceSession(Checked("antispoof", LivenessFile), sessionOptions);
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

    public void Dispose()
    {
        Detector?.Dispose();
        Embedder?.Dispose();
        Liveness?.Dispose();
    }
}
