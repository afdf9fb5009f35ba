using System.Security.Cryptography;
using StationEdge.ModelTools.Onnx;
using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools.Conversion;

/// <summary>
/// TFLite → ONNX (IR 8, opset 13). The ONNX graph keeps TFLite's NHWC inputs and outputs and their tensor names;
/// inside it runs NCHW. The same input and options always give the same bytes.
/// </summary>
public static class TfLiteToOnnxConverter
{
    public const string ProducerName = "station-models";
    public const long IrVersion = 8;
    public const long OpsetVersion = 13;

    /// <summary>Metadata key holding the sha256 of the TFLite file the model came from.</summary>
    public const string SourceSha256Key = "source_tflite_sha256";

    /// <exception cref="TfLiteFormatException">The bytes are not a readable TFLite file.</exception>
    /// <exception cref="ConversionException">The graph uses an operator or feature the converter does not handle.</exception>
    public static byte[] Convert(byte[] tflite, ConvertOptions options) => OnnxModelWriter.Write(ConvertToModel(tflite, options));

    public static OnnxModel ConvertToModel(byte[] tflite, ConvertOptions options)
    {
        ArgumentNullException.ThrowIfNull(tflite);
        var model = TfLiteModelReader.Read(tflite);
        return ConvertToModel(model, options, [new(SourceSha256Key, System.Convert.ToHexStringLower(SHA256.HashData(tflite)))]);
    }

    public static OnnxModel ConvertToModel(TfLiteModel model, ConvertOptions options, IReadOnlyList<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var graph = new GraphConverter(model, options).Convert();
        return new OnnxModel(IrVersion, ProducerName, [new OnnxOpsetImport("", OpsetVersion)], graph, metadata ?? []);
    }
}
