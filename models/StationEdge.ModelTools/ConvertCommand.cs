using System.Security.Cryptography;
using StationEdge.ModelTools.Conversion;
using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools;

/// <summary><c>station-models convert --in X.tflite --out Y.onnx [--batch-dynamic]</c>: prints the output's sha256.</summary>
internal static class ConvertCommand
{
    public const string Usage = "usage: station-models convert --in MODEL.tflite --out MODEL.onnx [--batch-dynamic]";

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? input = null;
        string? output = null;
        bool batchDynamic = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--in" when i + 1 < args.Count:
                    input = args[++i];
                    break;
                case "--out" when i + 1 < args.Count:
                    output = args[++i];
                    break;
                case "--batch-dynamic":
                    batchDynamic = true;
                    break;
                case "--in" or "--out":
                    return BadInput(stderr, $"{args[i]} needs a file path");
                default:
                    return BadInput(stderr, $"unknown argument '{args[i]}'");
            }
        }

        if (input is null || output is null)
        {
            return BadInput(stderr, $"{(input is null ? "--in" : "--out")} is required");
        }

        if (!File.Exists(input))
        {
            return BadInput(stderr, $"--in: file not found: {input}");
        }

        byte[] onnx;
        try
        {
            onnx = TfLiteToOnnxConverter.Convert(File.ReadAllBytes(input), new ConvertOptions { BatchDynamic = batchDynamic });
        }
        catch (Exception e) when (e is TfLiteFormatException or ConversionException)
        {
            return BadInput(stderr, $"{input}: {e.Message}");
        }

        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(output));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            // Write beside the target and rename, so a failed write never leaves a half model under the real name.
            string temp = output + ".tmp";
            File.WriteAllBytes(temp, onnx);
            File.Move(temp, output, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"station-models convert: cannot write {output}: {e.Message}");
            return 1;
        }

        stdout.WriteLine($"{Convert.ToHexStringLower(SHA256.HashData(onnx))}  {output}");
        return 0;
    }

    private static int BadInput(TextWriter stderr, string reason)
    {
        stderr.WriteLine($"station-models convert: {reason}");
        return 2;
    }
}
