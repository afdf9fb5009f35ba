using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace StationEdge.Vision.Models;

/// <summary>A model file's bytes, read once and found to match the lock; <see cref="Path"/> names it in messages.</summary>
public sealed record VerifiedModel(string ArtifactId, string Path, string Sha256, byte[] Bytes);

/// <summary>
/// The installed models folder (out/models by default): the pinned files plus a copy of the lock, which must be the
/// lock built into StationEdge. Each file is read once into memory, its sha256 checked, and those same bytes are what
/// ONNX Runtime gets (<see cref="CreateSession"/>), so a file changed between the check and the load is never run.
/// </summary>
public sealed class ModelDirectory
{
    public const string EnvironmentVariable = "STATIONEDGE_MODELS";

    private const int MaxSymbolicLinks = 40;

    private ModelDirectory(string path, string realPath, ModelLock modelLock)
    {
        FullPath = path;
        RealPath = realPath;
        Lock = modelLock;
    }

    public string FullPath { get; }

    public ModelLock Lock { get; }

    /// <summary><see cref="FullPath"/> with symbolic links resolved: every model must resolve to a file under it.</summary>
    private string RealPath { get; }

    /// <exception cref="ModelIntegrityException">the folder or its lock copy is missing, or the lock copy is not the built-in lock.</exception>
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

        var lockBytes = Read(lockPath, "the model lock");
        var lockSha256 = Convert.ToHexStringLower(SHA256.HashData(lockBytes));
        if (lockSha256 != ModelLock.BuiltInSha256)
        {
            throw new ModelIntegrityException(
                $"{lockPath}: sha256 {lockSha256} is not the lock this StationEdge was built with ({ModelLock.BuiltInSha256}); the folder holds other models: run ./deploy.sh setup");
        }

        return new ModelDirectory(full, Resolve(full), ModelLock.Parse(Encoding.UTF8.GetString(lockBytes), lockPath));
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

    /// <summary>Reads a pinned runtime file once and checks those bytes against the lock.</summary>
    /// <exception cref="ModelIntegrityException">the file is missing, unreadable, outside the folder, or not the pinned bytes.</exception>
    public VerifiedModel ReadVerified(string artifactId)
    {
        var artifact = Lock.Runtime(artifactId);
        var path = System.IO.Path.Combine(FullPath, artifact.RuntimeFile);
        var real = Resolve(path);
        if (!IsUnder(real, RealPath))
        {
            throw new ModelIntegrityException(
                $"{path} leads to {real}, outside the models folder {RealPath}: refused; run ./deploy.sh setup");
        }

        if (!File.Exists(real))
        {
            throw new ModelIntegrityException($"{path} is missing: run ./deploy.sh setup");
        }

        var bytes = Read(real, "the model");
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, artifact.RuntimeSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelIntegrityException(
                $"{path}: sha256 {actual} does not match the lock ({artifact.RuntimeSha256}); the file was changed or is corrupt: run ./deploy.sh setup");
        }

        return new VerifiedModel(artifactId, path, actual, bytes);
    }

    /// <summary>An ONNX Runtime session over the checked bytes of one model (<see cref="ReadVerified"/>).</summary>
    /// <exception cref="ModelIntegrityException">the file fails its check, or ONNX Runtime cannot load it (the message names the file).</exception>
    public InferenceSession CreateSession(string artifactId, SessionOptions options) => CreateSession(ReadVerified(artifactId), options);

    /// <summary>A session over bytes already checked: nothing is read from disk again.</summary>
    public static InferenceSession CreateSession(VerifiedModel model, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            return new InferenceSession(model.Bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelIntegrityException($"{model.Path}: ONNX Runtime cannot load it: {OneLine(e.Message)}", e);
        }
    }

    public string Sha256Of(string artifactId) => Lock.Runtime(artifactId).RuntimeSha256;

    public static string ComputeSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link in it resolved, component by component, as
    /// realpath(3) does; components that do not exist are kept as named.
    /// </summary>
    /// <exception cref="ModelIntegrityException">the links loop or nest deeper than the kernel allows.</exception>
    public static string Resolve(string path)
    {
        var pending = new Stack<string>(System.IO.Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = "/";
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = System.IO.Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = System.IO.Path.Join(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxSymbolicLinks)
            {
                throw new ModelIntegrityException($"{path}: more than {MaxSymbolicLinks} symbolic links (a loop?)");
            }

            if (System.IO.Path.IsPathRooted(target))
            {
                current = "/";
            }

            foreach (var targetPart in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(targetPart);
            }
        }

        return current;
    }

    /// <summary>True when <paramref name="path"/> lies strictly below <paramref name="folder"/> (both already resolved).</summary>
    public static bool IsUnder(string path, string folder)
    {
        var prefix = folder.EndsWith('/') ? folder : folder + "/";
        return path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal);
    }

    private static byte[] Read(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelIntegrityException($"{path}: cannot read {what} ({e.Message})", e);
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
