namespace StationEdge.ModelTools.Conversion;

/// <summary>How to convert a TFLite model.</summary>
public sealed record ConvertOptions
{
    public static ConvertOptions Default { get; } = new();

    /// <summary>
    /// Make the first dimension of every graph input and output a symbol (<see cref="BatchDimensionName"/>)
    /// instead of the batch the TFLite file was exported with; reshapes that keep the batch write -1 for it.
    /// </summary>
    public bool BatchDynamic { get; init; }

    public string BatchDimensionName { get; init; } = "N";
}
