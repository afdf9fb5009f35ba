using System.Security.Cryptography;

namespace StationEdge.Vision.Models;

/// <summary>
/// The installed models folder (out/models by default): the pinned files plus a copy of the lock.
/// Every file is checked against its sha256 before it is handed out, so a changed byte never reaches ONNX Runtime.
/// </summary>
public sealed class ModelDirectory
{
    public const string EnvironmentVariable = "STATIONEDGE_MODELS";

    private readonly Dictionary<string, string> _verified = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private ModelDirectory(string path, ModelLock modelLock)
    {
        FullPath = path;
        Lock = modelLock;
    }

    public string FullPath { get; }

    public ModelLock Lock { get; }

    public static ModelDirectory Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new ModelIntegrityException($"models folder {full} does not exist: run ./deploy.sh setup (or pass --models DIR)");
        }

        var lockPath = System.IO.Path.Combine(full, ModelLock.FileName);
        if (!File.Exists(lockPath))
        {
            throw new ModelIntegrityException($"{lockPath} is missing: the models folder was not written by set-up; run ./deploy.sh setup");
        }

        return new ModelDirectory(full, ModelLock.Load(lockPath));
    }

    /// <summary>
    /// Where models live when no folder is given: $STATIONEDGE_MODELS, else ../models beside the published
    /// executable (out/station-edge → out/models), else out/models under the repository.
    /// </summary>
    public static string DefaultPath()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return fromEnv;
        }

        var besideExe = System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, "..", "models"));
        if (File.Exists(System.IO.Path.Combine(besideExe, ModelLock.FileName)))
        {
            return besideExe;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "StationEdge.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, "out", "models");
            }
        }

        return besideExe;
    }

    /// <summary>The path of a pinned runtime file, after checking its sha256 (once per process).</summary>
    public string GetVerifiedPath(string artifactId)
    {
        var artifact = Lock.Runtime(artifactId);
        var path = System.IO.Path.Combine(FullPath, artifact.RuntimeFile);
        lock (_gate)
        {
            if (_verified.TryGetValue(artifactId, out var known))
            {
                return known;
            }

            VerifyFile(path, artifact.RuntimeSha256);
            _verified[artifactId] = path;
            return path;
        }
    }

    public string Sha256Of(string artifactId) => Lock.Runtime(artifactId).RuntimeSha256;

    public static void VerifyFile(string path, string expectedSha256)
    {
        if (!File.Exists(path))
        {
            throw new ModelIntegrityException($"{path} is missing: run ./deploy.sh setup");
        }

        var actual = ComputeSha256(path);
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelIntegrityException(
                $"{path}: sha256 {actual} does not match the lock ({expectedSha256}); the file was changed or is corrupt: run ./deploy.sh setup");
        }
    }

    public static string ComputeSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
