using System.Security.Cryptography;
using StationEdge.ModelTools.Tests.Support;
using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools.Tests;

public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convert-command-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = ConvertCommand.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] TinyModel(TfLiteBuiltinOperator op)
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4);
        int y = b.Output("y", 1, 4);
        b.Op(op, [x], [y]);
        return b.Build();
    }

    [Fact]
    public void Convert_ValidModel_WritesOnnxAndPrintsItsSha256()
    {
        string input = Write("relu.tflite", TinyModel(TfLiteBuiltinOperator.RELU));
        string output = Path.Combine(_dir, "sub", "relu.onnx");

        var (exit, stdout, stderr) = Run("--in", input, "--out", output, "--batch-dynamic");

        Assert.Equal(0, exit);
        Assert.Empty(stderr);
        Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(output)))}  {output}\n", stdout.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(output + ".tmp"));
    }

    [Fact]
    public void Convert_MissingInputFile_FailsWithExit2NamingTheFile()
    {
        string missing = Path.Combine(_dir, "nope.tflite");

        var (exit, _, stderr) = Run("--in", missing, "--out", Path.Combine(_dir, "x.onnx"));

        Assert.Equal(2, exit);
        Assert.Equal($"station-models convert: --in: file not found: {missing}", stderr.TrimEnd());
    }

    [Fact]
    public void Convert_FileThatIsNotTfLite_SaysSoInOneLine()
    {
        string input = Write("model.tflite", "PK\u0003\u0004 not a flatbuffer at all"u8.ToArray());

        var (exit, _, stderr) = Run("--in", input, "--out", Path.Combine(_dir, "x.onnx"));

        Assert.Equal(2, exit);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains("not a TFLite file", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "x.onnx")));
    }

    [Fact]
    public void Convert_UnsupportedOperator_NamesOpcodeAndIndex()
    {
        string input = Write("softmax.tflite", TinyModel(TfLiteBuiltinOperator.SOFTMAX));

        var (exit, _, stderr) = Run("--in", input, "--out", Path.Combine(_dir, "x.onnx"));

        Assert.Equal(2, exit);
        Assert.Equal($"station-models convert: {input}: TFLite operator 0 (SOFTMAX) is not supported by the converter", stderr.TrimEnd());
    }

    [Theory]
    [InlineData(new[] { "--in", "a.tflite" }, "--out is required")]
    [InlineData(new[] { "--in" }, "--in needs a file path")]
    [InlineData(new[] { "--in", "a", "--out", "b", "--fast" }, "unknown argument '--fast'")]
    public void Convert_BadArguments_FailWithExit2(string[] args, string reason)
    {
        var (exit, stdout, stderr) = Run(args);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Equal($"station-models convert: {reason}", stderr.TrimEnd());
    }
}
