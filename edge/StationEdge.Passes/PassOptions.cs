using Microsoft.Extensions.Options;

namespace StationEdge.Passes;

/// <summary>The <c>Passes</c> section: how often the door camera's frames are searched for a pass.</summary>
public sealed class PassOptions
{
    public const string SectionName = "Passes";

    /// <summary>Search the door camera's frames for passes at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>At most one frame searched per this many milliseconds (250: four a second).</summary>
    public int ScanIntervalMs { get; set; } = 250;

    /// <summary>Frames are averaged down to grey at most this wide before the search.</summary>
    public int MaxWidth { get; set; } = 640;

    /// <summary>A pass that stayed in view is decided once; it counts again after being out of view this long.</summary>
    public int RearmMs { get; set; } = 3000;
}

public sealed class PassOptionsValidator : IValidateOptions<PassOptions>
{
    public ValidateOptionsResult Validate(string? name, PassOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range("ScanIntervalMs", options.ScanIntervalMs, 50, 5000);
        Range("MaxWidth", options.MaxWidth, 160, 4096);
        Range("RearmMs", options.RearmMs, 500, 600_000);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"Passes:{key} must be between {min} and {max} (was {value})");
            }
        }
    }
}
