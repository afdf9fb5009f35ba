using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Store;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Models;
using StationEdge.Vision.Quality;
using StationEdge.Vision.Recognition;

namespace StationEdge.Access;

/// <summary>The <c>Vision</c> configuration section: where the models are, how they run, and the quality gate's limits.</summary>
public sealed class StationVisionOptions
{
    public const string SectionName = "Vision";

    /// <summary>The models folder. Unset: <c>$STATIONEDGE_MODELS</c>, else <c>out/models</c> (a command's <c>--models DIR</c> sets it).</summary>
    public string? ModelsPath { get; set; }

    /// <summary>ONNX Runtime threads per model.</summary>
    public int IntraOpThreads { get; set; } = VisionOptions.DefaultIntraOpThreads;

    /// <summary>The full-range detector for faces too small for the short-range one (an approaching rider).</summary>
    public bool UseBackModel { get; set; } = true;

    /// <summary>The face embedder; its templates are tagged with it, so changing it means <c>reembed</c> or enrolling again.</summary>
    public EmbedderModel Embedder { get; set; } = EmbedderModel.Faceplugin;

    /// <summary>Embed each face and its mirror image and average them (twice the embedding time, fewer enrolled people refused).</summary>
    public bool MirrorAverage { get; set; } = true;

    /// <summary>
    /// Which points faces are aligned on: <c>landmarks</c> (faceplugin's fr_landmark, the default) or <c>keypoints</c>
    /// (BlazeFace's four, the path before). Part of the template tag, so changing it is an embedder change.
    /// </summary>
    public AlignmentMethod Alignment { get; set; } = AlignmentMethod.Landmarks;

    public float LivenessThreshold { get; set; } = LivenessScorer.DefaultThreshold;

    public float MinInterEyePx { get; set; } = QualityGateOptions.DefaultMinInterEyePx;

    public float MaxYawDegrees { get; set; } = QualityGateOptions.DefaultMaxYawDegrees;

    public float MinSharpness { get; set; } = QualityGateOptions.DefaultMinSharpness;

    public float MinBrightness { get; set; } = QualityGateOptions.DefaultMinBrightness;

    public float MaxBrightness { get; set; } = QualityGateOptions.DefaultMaxBrightness;

    public string ResolvedModelsPath => Path.GetFullPath(ModelsPath ?? ModelDirectory.DefaultPath());

    public QualityGateOptions Gate => new()
    {
        MinInterEyePx = MinInterEyePx,
        MaxYawDegrees = MaxYawDegrees,
        MinSharpness = MinSharpness,
        MinBrightness = MinBrightness,
        MaxBrightness = MaxBrightness,
    };
}

/// <summary>Checks the <c>Vision</c> section; each failure names its key.</summary>
public sealed class StationVisionOptionsValidator : IValidateOptions<StationVisionOptions>
{
    public ValidateOptionsResult Validate(string? name, StationVisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Check(bool ok, string key, FormattableString text)
        {
            if (!ok)
            {
                failures.Add($"Vision:{key} {text.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        Check(options.ModelsPath is null || !string.IsNullOrWhiteSpace(options.ModelsPath), "ModelsPath", $"must be a folder or left out (was empty)");
        Check(Enum.IsDefined(options.Alignment), "Alignment", $"must be landmarks or keypoints (was {(int)options.Alignment})");
        Check(options.IntraOpThreads is >= 1 and <= 64, "IntraOpThreads", $"must be between 1 and 64 (was {options.IntraOpThreads})");
        Check(options.LivenessThreshold is > 0 and <= 10, "LivenessThreshold", $"must be above 0 and at most 10 (was {options.LivenessThreshold})");
        Check(options.MinInterEyePx is >= 8 and <= 1000, "MinInterEyePx", $"must be between 8 and 1000 (was {options.MinInterEyePx})");
        Check(options.MaxYawDegrees is > 0 and <= 90, "MaxYawDegrees", $"must be above 0 and at most 90 (was {options.MaxYawDegrees})");
        Check(options.MinSharpness is >= 0 and <= 10_000, "MinSharpness", $"must be between 0 and 10000 (was {options.MinSharpness})");
        Check(options.MinBrightness is >= 0 and < 255, "MinBrightness", $"must be between 0 and 255 (was {options.MinBrightness})");
        Check(options.MaxBrightness > options.MinBrightness && options.MaxBrightness <= 255, "MaxBrightness",
            $"must be above Vision:MinBrightness ({options.MinBrightness}) and at most 255 (was {options.MaxBrightness})");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The station's eyes: the face pipeline (every model loaded and sha256-checked) and the quality gate.</summary>
public sealed class StationVision : IDisposable
{
    private StationVision(FacePipeline pipeline, QualityGate gate)
    {
        Pipeline = pipeline;
        Gate = gate;
    }

    public FacePipeline Pipeline { get; }

    public QualityGate Gate { get; }

    public string EmbedderSha256 => Pipeline.EmbedderSha256;

    /// <summary>The station's gallery of this embedder's templates (its tag and dimension count), loaded from the store.</summary>
    public Task<StationGallery> LoadGalleryAsync(StationStore store, AccessPolicy policy, ILogger<StationGallery> logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return StationGallery.LoadAsync(store, EmbedderSha256, Pipeline.Models.Embedder!.Dimensions, policy.Gallery, logger, ct);
    }

    /// <summary>Loads every model (detector, embedder, liveness).</summary>
    /// <exception cref="ModelIntegrityException">A model is missing or its sha256 does not match the lock.</exception>
    public static StationVision Load(StationVisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pipeline = FacePipeline.Load(options.ResolvedModelsPath, new VisionOptions
        {
            IntraOpThreads = options.IntraOpThreads,
            UseBackModel = options.UseBackModel,
            Embedder = options.Embedder,
            MirrorAverage = options.MirrorAverage,
            Alignment = options.Alignment,
            LivenessThreshold = options.LivenessThreshold,
        });
        return new StationVision(pipeline, new QualityGate(options.Gate));
    }

    public void Dispose() => Pipeline.Dispose();
}
